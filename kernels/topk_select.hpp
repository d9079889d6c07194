// topk_dynamic's block choice on the GPU: from the block means of Q and K
// (block_means.hpp), each query block keeps its local key blocks and the topk
// others of highest mean(Q) . mean(K), ties to the lower index, written in
// ascending order into the flash layout's column array. Host entry and
// params; no CUDA headers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "flash_launch.hpp"

namespace attnscope::kernels {

struct TopkSelectParams {
  const float* queryMeans = nullptr;  // [heads, blocks, d]
  const float* keyMeans = nullptr;    // [heads, blocks, d]
  const int64_t* rowStart = nullptr;  // [heads, blocks + 1]: absolute entry indices (the layout's own CSR)
  int32_t* colBlock = nullptr;        // the layout's per-entry key blocks, written here
  int heads = 1;
  int64_t blocks = 0, d = 0;
  int64_t topk = 0, localLeft = 0, localRight = -1;  // local blocks qb - localLeft .. qb + localRight (right < left: none)
  bool causal = false;
};

inline constexpr int kTopkSelectThreads = 128;

// Shared memory per block (all dynamic, host and device agree on it): a
// score and a flag per key block, the scan's counts, the warps' best.
inline constexpr size_t topkCountsOffset(int64_t blocks) { return (static_cast<size_t>(blocks) * (sizeof(float) + 1) + 15) / 16 * 16; }
inline constexpr size_t topkWarpOffset(int64_t blocks) { return topkCountsOffset(blocks) + kTopkSelectThreads * sizeof(int32_t); }
inline constexpr size_t topkSelectSmemBytes(int64_t blocks) { return topkWarpOffset(blocks) + (kTopkSelectThreads / 32) * (sizeof(float) + sizeof(int32_t)); }

// Device pointers; returns a cudaError_t.
int launchTopkSelect(const TopkSelectParams& p, FlashStream stream);

}  // namespace attnscope::kernels
