// topk_dynamic's block choice (topk_select.hpp): one CUDA block per (query
// block, head). It scores every candidate key block into shared memory,
// flags the local blocks, then takes the topk best candidates one block-wide
// argmax at a time (ties to the lower index, as the CPU's partial sort), and
// writes the flagged blocks in ascending order: each thread counts the flags
// of its own contiguous range, a scan of the counts gives its offset. Cost
// O(blocks d + take blocks) per query block; topk is a handful in practice.
//
// The kernel body only: topk_select.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include "cuda_compat.cuh"
#include "topk_select.hpp"

namespace attnscope::kernels::device {

// Whether candidate (s, j) beats (best, bestIndex): higher score, ties to the lower index.
__device__ __forceinline__ bool topkBetter(float s, int64_t j, float best, int64_t bestIndex) {
  return s > best || (s == best && j < bestIndex);
}

__global__ void __launch_bounds__(kTopkSelectThreads) topkSelect(TopkSelectParams p) {
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  const int64_t nb = p.blocks, qb = blockIdx.x;
  const int head = blockIdx.y;
  float* score = reinterpret_cast<float*>(smem);
  unsigned char* kept = smem + nb * sizeof(float);
  int32_t* counts = reinterpret_cast<int32_t*>(smem + topkCountsOffset(nb));
  int32_t* warpIndex = reinterpret_cast<int32_t*>(smem + topkWarpOffset(nb));
  float* warpBest = reinterpret_cast<float*>(warpIndex + kTopkSelectThreads / 32);
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;

  const int64_t lastKey = p.causal ? qb : nb - 1;
  const int64_t localLo = qb - p.localLeft > 0 ? qb - p.localLeft : 0;
  const int64_t localHi = qb + p.localRight < lastKey ? qb + p.localRight : lastKey;
  const float* qm = p.queryMeans + (head * nb + qb) * p.d;
  const float* km = p.keyMeans + head * nb * p.d;
  for (int64_t j = tid; j < nb; j += kTopkSelectThreads) {
    const bool local = j >= localLo && j <= localHi;
    kept[j] = local ? 1 : 0;
    float s = 0.0f;
    if (j <= lastKey && !local)
      for (int64_t x = 0; x < p.d; ++x) s += qm[x] * km[j * p.d + x];
    score[j] = s;
  }
  __syncthreads();
  const int64_t total = lastKey + 1 - (localHi >= localLo ? localHi - localLo + 1 : 0);  // candidates
  const int64_t take = p.topk < total ? p.topk : total;
  for (int64_t round = 0; round < take; ++round) {
    float best = -INFINITY;
    int32_t bestIndex = static_cast<int32_t>(nb);  // 32 bits: shuffles move 32-bit words (blocks < 2^31)
    for (int64_t j = tid; j <= lastKey; j += kTopkSelectThreads)
      if (!kept[j] && topkBetter(score[j], j, best, bestIndex)) {
        best = score[j];
        bestIndex = static_cast<int32_t>(j);
      }
    for (int off = 16; off > 0; off /= 2) {
      const float ob = __shfl_xor_sync(0xffffffffu, best, off);
      const int32_t oi = __shfl_xor_sync(0xffffffffu, bestIndex, off);
      if (topkBetter(ob, oi, best, bestIndex)) {
        best = ob;
        bestIndex = oi;
      }
    }
    if (lane == 0) {
      warpBest[warp] = best;
      warpIndex[warp] = bestIndex;
    }
    __syncthreads();
    if (tid == 0) {
      for (int w = 1; w < kTopkSelectThreads / 32; ++w)
        if (topkBetter(warpBest[w], warpIndex[w], warpBest[0], warpIndex[0])) {
          warpBest[0] = warpBest[w];
          warpIndex[0] = warpIndex[w];
        }
      if (warpIndex[0] < nb) kept[warpIndex[0]] = 1;
    }
    __syncthreads();
  }

  // Ascending write: thread t owns key blocks [t * per, (t + 1) * per).
  const int64_t per = (nb + kTopkSelectThreads - 1) / kTopkSelectThreads;
  const int64_t j0 = tid * per, j1 = j0 + per < nb ? j0 + per : nb;
  int32_t mine = 0;
  for (int64_t j = j0; j < j1; ++j) mine += kept[j];
  counts[tid] = mine;
  __syncthreads();
  if (tid == 0) {
    int32_t run = 0;
    for (int t = 0; t < kTopkSelectThreads; ++t) {
      const int32_t c = counts[t];
      counts[t] = run;
      run += c;
    }
  }
  __syncthreads();
  int32_t* out = p.colBlock + p.rowStart[head * (nb + 1) + qb];
  int32_t at = counts[tid];
  for (int64_t j = j0; j < j1; ++j)
    if (kept[j]) out[at++] = static_cast<int32_t>(j);
}

}  // namespace attnscope::kernels::device
