// The emulated counterpart of runFlashForward (kernels/flash_runner.cpp): the
// same support check, layout arrays, params and guard floats, with host
// memory for device memory and the CPU emulation of CUDA for the GPU. The
// fp16/bf16 inputs go through the device conversion kernel too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attention/block_layout.hpp"
#include "cuda_emu.hpp"
#include "block_means.hpp"
#include "flash_params.hpp"
#include "memory_slots_params.hpp"
#include "relative_features.hpp"
#include "topk_select.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::testing {

struct EmulatedOutput {
  std::vector<Mat> output;              // per head [n x dv]
  std::vector<std::vector<float>> lse;  // per head [n]
  bool guardsIntact = true;             // nothing written past O or LSE
  std::vector<float> rawO;              // all of O, for bitwise comparisons between orders
  std::string kernel;                   // which ran: "fp32", "mma", "wgmma" (cp.async loads) or "wgmma+tma"
};

// Throws Error(Unsupported) with flashSupports' reason, as the GPU runner
// does. scale multiplies Q K^T (0: 1 / sqrt(Q's width)); path picks the
// 16-bit kernel as on a GPU (kernels::flashRunsWgmma); allowTma = false
// keeps the wgmma kernel on its cp.async loads where TMA would serve.
EmulatedOutput runEmulated(const Qkv& qkv, const std::vector<const BlockLayout*>& layouts, kernels::FlashElement element, emu::Order order,
                           uint64_t seed = 1, float scale = 0.0f, kernels::FlashPath path = kernels::FlashPath::Auto, bool allowTma = true);

// memory_slots' write recurrence (kernels/memory_slots_write_kernel.cuh) on
// host buffers: p's pointers are host pointers.
void runEmulatedSlotWrite(const kernels::SlotWriteParams& p, emu::Order order, uint64_t seed = 1);

// The block means (kernels/block_means_kernel.cuh) on host buffers.
void runEmulatedBlockMeans(const kernels::BlockMeansParams& p, emu::Order order, uint64_t seed = 1);

// transformer_xl's position features (kernels/relative_features_kernel.cuh) on host buffers.
void runEmulatedRelativeFeatures(const kernels::RelativeFeatureParams& p, emu::Order order, uint64_t seed = 1);

// topk_dynamic's block choice (kernels/topk_select_kernel.cuh) on host buffers.
void runEmulatedTopkSelect(const kernels::TopkSelectParams& p, emu::Order order, uint64_t seed = 1);

}  // namespace attnscope::testing
