// The host/device contract of the block-sparse flash forward kernel, after
// FlashAttention's Flash_fwd_params: one plain struct of device pointers,
// strides and sizes, copied into the launch. No CUDA header is needed to fill
// it, so host code (and the CPU tests) can build and check it.
#pragma once

#include <cstdint>

#include "flash_layout.hpp"

namespace attnscope::kernels {

// Element type of Q, K and V as the kernel reads them. O and LSE are fp32.
enum class FlashElement : uint8_t { Fp32, Fp16, Bf16 };

// Which fp16/bf16 kernel runs: Mma (mma.sync, sm_80 and later) or Wgmma
// (warpgroup MMA, sm_90 only, head widths 64/128/256). Auto is Mma until the
// wgmma kernel has been checked and timed on a GPU (docs/cuda.md). fp32
// always runs the SIMT kernel.
enum class FlashPath : uint8_t { Auto, Mma, Wgmma };

struct FlashParams {
  FlashElement element = FlashElement::Fp32;
  FlashPath path = FlashPath::Auto;
  // Q, K, V: [heads, rows, width], row-major per head; strides in elements.
  // The innermost (width) stride is 1. Fp16/Bf16 data is 16-bit
  // (__half / __nv_bfloat16 bit patterns).
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  int64_t qHeadStride = 0, qRowStride = 0;
  int64_t kHeadStride = 0, kRowStride = 0;
  int64_t vHeadStride = 0, vRowStride = 0;
  float* o = nullptr;  // [heads, n, dv] fp32
  int64_t oHeadStride = 0, oRowStride = 0;
  float* lse = nullptr;  // [heads, n] natural-log sum of exp(scaled scores); may be null
  int64_t lseHeadStride = 0;

  int heads = 1;
  int64_t n = 0;      // queries per head
  int64_t nKeys = 0;  // keys per head
  int d = 0;          // Q/K width
  int dv = 0;         // V width
  float scale = 1.0f; // multiplies Q K^T (1/sqrt(d) for attention)

  // Which (i, j) pairs exist; its causal flag is the one the kernel applies.
  FlashLayoutView layout;
};

// Fills the strides of contiguous [heads, rows, width] tensors.
inline void setContiguousStrides(FlashParams& p) {
  p.qRowStride = p.d;
  p.qHeadStride = p.n * p.d;
  p.kRowStride = p.d;
  p.kHeadStride = p.nKeys * p.d;
  p.vRowStride = p.dv;
  p.vHeadStride = p.nKeys * p.dv;
  p.oRowStride = p.dv;
  p.oHeadStride = p.n * p.dv;
  p.lseHeadStride = p.n;
}

}  // namespace attnscope::kernels
