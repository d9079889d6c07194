// transformer_xl's position halves of Q' and K' (transformer_xl_flash.hpp)
// written on the GPU, so the host uploads Q and K zero-padded to width 2d and
// computes no sines. Host entry and params; no CUDA headers.
#pragma once

#include <cstdint>

#include "flash_launch.hpp"

namespace attnscope::kernels {

// q, k: [heads, n, 2d] fp32 whose columns [0, d) hold q and k on entry. For
// each pair p with frequency w_p and a, b = (q + v)[2p], [2p + 1] (in double):
// Q'[d + 2p] = a sin(i w) + b cos(i w), Q'[d + 2p + 1] = b sin(i w) - a cos(i w),
// K'[d + 2p] = cos(j w), K'[d + 2p + 1] = sin(j w), and Q'[0, d) = q + u: the
// host's withRelativeFeatures operation for operation (angles in double,
// sines rounded to fp32 first).
struct RelativeFeatureParams {
  float* q = nullptr;
  float* k = nullptr;
  const float* u = nullptr;           // [d] content bias
  const float* v = nullptr;           // [d] position bias
  const double* frequency = nullptr;  // [d / 2]
  int heads = 1;
  int64_t n = 0, d = 0;
};

inline constexpr int kRelativeFeatureThreads = 256;

// Device pointers; returns a cudaError_t.
int launchRelativeFeatures(const RelativeFeatureParams& p, FlashStream stream);

}  // namespace attnscope::kernels
