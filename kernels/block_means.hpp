// Means of consecutive row blocks on the GPU: hierarchical's block summaries
// (and any block-pooled estimate). Host entry and params; no CUDA headers.
#pragma once

#include <cstdint>

#include "flash_launch.hpp"

namespace attnscope::kernels {

// Block c of head h (rows [c * block, min(rows, (c + 1) * block)) of src) is
// averaged into row dstRow0 + c of dst; src and dst may be the same array.
struct BlockMeansParams {
  const float* src = nullptr;  // [heads] x srcHeadStride, rows of `width` floats
  float* dst = nullptr;        // [heads] x dstHeadStride, rows of `width` floats
  int heads = 1;
  int64_t rows = 0, width = 0, block = 1, blocks = 0;
  int64_t srcHeadStride = 0, dstHeadStride = 0, dstRow0 = 0;
};

inline constexpr int kBlockMeansThreads = 128;

// Device pointers; returns a cudaError_t.
int launchBlockMeans(const BlockMeansParams& p, FlashStream stream);

}  // namespace attnscope::kernels
