// One flash forward over a Qkv, from host tensors to host outputs: upload,
// convert to fp16/bf16 when asked, upload the layout, launch once for all
// heads, copy back. The backend and the GPU tests call this; callers that
// keep tensors on the device fill FlashParams and call launchFlashForward.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "attention/block_layout.hpp"
#include "flash_launch.hpp"
#include "profiling/profiler.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

// The device inputs a prepare step may write: fp32 Q, K and V
// ([heads, rows, width] contiguous) and the layout's key-block column
// array (entries as in the uploaded FlashLayoutView).
struct FlashDeviceInputs {
  float* q = nullptr;
  float* k = nullptr;
  float* v = nullptr;
  const FlashLayoutView* layout = nullptr;
  int32_t* colBlock = nullptr;
};

// A step on the device inputs before the forward, after the upload and
// before any conversion to fp16/bf16: memory_slots writes its slot states,
// hierarchical its block means, topk_dynamic its chosen key blocks.
struct FlashPrepare {
  std::function<int(const FlashDeviceInputs& in, FlashStream stream)> run;  // launches only; returns a cudaError_t
  std::function<void(const FlashDeviceInputs& in)> readBack;              // optional: copies what run wrote, outside the timing
  std::vector<std::string> kernelNames;  // name prefixes of run's kernels, so their records count in the forward's time
  double flops = 0;                      // of run's kernels, for their spans' rate
};

struct FlashRunOptions {
  FlashElement element = FlashElement::Fp32;
  FlashPath path = FlashPath::Auto;  // the 16-bit kernel (resolvedFlashPath)
  float scale = 0.0f;                // 0: 1 / sqrt(d)
  FlashStream stream = nullptr;
  MemoryMeter* meter = nullptr;  // device bytes allocated by the run (may be null)
  bool computeLse = false;
  int repeats = 1;               // launches timed back to back (the output is the last one's)
  // Sentinel floats placed after O (and after LSE) and checked after the run:
  // a kernel that writes out of bounds clears guardsIntact.
  int64_t guardFloats = 0;
  const FlashPrepare* prepare = nullptr;
};

struct FlashRunOutput {
  std::vector<Mat> output;              // per head [n x dv]
  std::vector<std::vector<float>> lse;  // per head [n], when asked
  double kernelMs = 0;                  // cudaEvent time per launch (mean over repeats), conversion excluded
  double prepareMs = 0;                 // cudaEvent time of the prepare step (run once)
  bool guardsIntact = true;
  int64_t layoutBytes = 0;              // device bytes the layout arrays take
  FlashPath path = FlashPath::Auto;     // the 16-bit kernel that ran (Auto: fp32)
  bool tma = false;                     // the wgmma kernel loaded its tiles by TMA
};

// layouts: one shared by every head, or one per head. Throws
// Error(Unsupported) with flashSupports' reason when the kernel cannot run
// it, Error(Unavailable) with the CUDA message when the device fails.
FlashRunOutput runFlashForward(const Qkv& qkv, const std::vector<const BlockLayout*>& layouts, const FlashRunOptions& options);

}  // namespace attnscope::kernels
