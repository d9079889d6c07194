// Block means (block_means.hpp): one CUDA block per (row block, head), its
// threads over columns, each summing its column down the block in fp32
// (blocks are at most a few hundred rows: the sum's rounding stays near
// 1e-7 relative, far inside the forward's own).
//
// The kernel body only: block_means.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include "block_means.hpp"
#include "cuda_compat.cuh"

namespace attnscope::kernels::device {

__global__ void __launch_bounds__(kBlockMeansThreads) blockMeans(BlockMeansParams p) {
  const int64_t c = blockIdx.x;
  const int head = blockIdx.y;
  const int64_t r0 = c * p.block, count = p.block < p.rows - r0 ? p.block : p.rows - r0;
  const float* src = p.src + head * p.srcHeadStride + r0 * p.width;
  float* dst = p.dst + head * p.dstHeadStride + (p.dstRow0 + c) * p.width;
  const float inv = 1.0f / static_cast<float>(count);
  for (int64_t col = threadIdx.x; col < p.width; col += kBlockMeansThreads) {
    float sum = 0.0f;
    for (int64_t r = 0; r < count; ++r) sum += src[r * p.width + col];
    dst[col] = sum * inv;
  }
}

}  // namespace attnscope::kernels::device
