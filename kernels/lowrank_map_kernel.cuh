// The map of a factored A on the GPU (lowrank_map.hpp): each block forms a
// 64 x 64 tile of A's entries, a = s_i (L_i . R_j) (0 for j > i when causal),
// as exact fp32 dot products staged 32 columns of the rank at a time, then
// pools the tile into the grid's cells in two stages: rows of one cell added
// per key (stage 1, in place over the entries), then keys of one cell per
// run of rows (stage 2), so a pooled cell takes one pair of atomics per tile
// rather than one per entry.
//
// The kernel body only: lowrank_map.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include "cuda_compat.cuh"
#include "lowrank_map.hpp"

namespace attnscope::kernels::device {

namespace lowrank {

// The MapGrid cell rule: floor((i - i0) * cells / extent).
__device__ __forceinline__ int64_t cellOf(int64_t i, int64_t i0, int64_t extent, int64_t cells) { return (i - i0) * cells / extent; }

}  // namespace lowrank

__global__ void __launch_bounds__(kLowRankThreads) lowRankMapFp32(LowRankMapParams p) {
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  float* const sl = reinterpret_cast<float*>(smem);     // [32 rank][64 rows] L of the tile, transposed
  float* const sr = sl + kLowRankDepth * kLowRankTile;  // [32 rank][64 keys] R of the tile, transposed
  float* const sa = sl;                                 // [64][kLowRankEntryStride] entries, then per-run sums (over the stage)
  uint32_t* const runMax = reinterpret_cast<uint32_t*>(sl + kLowRankStageFloats);  // [64 runs][64 keys]
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t height = p.i1 - p.i0, width = p.j1 - p.j0;
  const int64_t colBegin = p.j0 + static_cast<int64_t>(blockIdx.x) * kLowRankTile;
  const int64_t colEnd = colBegin + kLowRankTile < p.j1 ? colBegin + kLowRankTile : p.j1;
  const int64_t tilesY = (height + kLowRankTile - 1) / kLowRankTile;  // lowRankMapTilesY, in device code

  for (int64_t tileY = blockIdx.y; tileY < tilesY; tileY += gridDim.y) {
    const int64_t rowBegin = p.i0 + tileY * kLowRankTile;
    const int64_t rowEnd = rowBegin + kLowRankTile < p.i1 ? rowBegin + kLowRankTile : p.i1;
    if (p.causal && colBegin > rowEnd - 1) continue;  // every entry masked (block-uniform)

    float acc[4][4];
#pragma unroll
    for (int u = 0; u < 4; ++u)
#pragma unroll
      for (int v = 0; v < 4; ++v) acc[u][v] = 0.0f;
    for (int k0 = 0; k0 < p.rank; k0 += kLowRankDepth) {
      __syncthreads();  // the previous stage (or tile's pooling) is no longer read
      // A warp stages 32 consecutive rows of one rank column: its global loads
      // are strided (served by L1, the tile's 8 KiB of each factor), its
      // transposed stores consecutive.
      for (int idx = tid; idx < kLowRankTile * kLowRankDepth; idx += kLowRankThreads) {
        const int rr = idx % kLowRankTile, col = idx / kLowRankTile;
        const bool inRank = k0 + col < p.rank;
        const int64_t i = rowBegin + rr, j = colBegin + rr;
        sl[col * kLowRankTile + rr] = i < rowEnd && inRank ? p.left[i * p.rank + k0 + col] : 0.0f;
        sr[col * kLowRankTile + rr] = j < colEnd && inRank ? p.right[j * p.rank + k0 + col] : 0.0f;
      }
      __syncthreads();
#pragma unroll 8
      for (int x = 0; x < kLowRankDepth; ++x) {
        const float4 lv = *reinterpret_cast<const float4*>(sl + x * kLowRankTile + 4 * ty);
        const float4 rv = *reinterpret_cast<const float4*>(sr + x * kLowRankTile + 4 * tx);
        const float l[4] = {lv.x, lv.y, lv.z, lv.w}, r[4] = {rv.x, rv.y, rv.z, rv.w};
#pragma unroll
        for (int u = 0; u < 4; ++u)
#pragma unroll
          for (int v = 0; v < 4; ++v) acc[u][v] += l[u] * r[v];
      }
    }
    __syncthreads();  // the stage becomes the entries

#pragma unroll
    for (int u = 0; u < 4; ++u) {
      const int rr = 4 * ty + u;
      const int64_t i = rowBegin + rr;
      const float s = i < rowEnd && p.rowScale ? p.rowScale[i] : 1.0f;
#pragma unroll
      for (int v = 0; v < 4; ++v) {
        const int c = 4 * tx + v;
        const int64_t j = colBegin + c;
        const bool ok = i < rowEnd && j < colEnd && !(p.causal && j > i);
        sa[rr * kLowRankEntryStride + c] = ok ? s * acc[u][v] : 0.0f;
      }
    }
    __syncthreads();

    // Stage 1: key c's entries summed down each run of rows in one cell row,
    // into row `run` of the entries (run <= the row being read, so nothing
    // unread is overwritten); the maxima into runMax.
    const int64_t runBase = lowrank::cellOf(rowBegin, p.i0, height, p.rows);
    const int runs = static_cast<int>(lowrank::cellOf(rowEnd - 1, p.i0, height, p.rows) - runBase) + 1;
    const int tileRows = static_cast<int>(rowEnd - rowBegin), tileCols = static_cast<int>(colEnd - colBegin);
    if (tid < tileCols) {
      const int c = tid;
      int run = 0;
      float sum = 0.0f, mx = 0.0f;
      for (int rr = 0; rr < tileRows; ++rr) {
        const int at = static_cast<int>(lowrank::cellOf(rowBegin + rr, p.i0, height, p.rows) - runBase);
        if (at != run) {
          sa[run * kLowRankEntryStride + c] = sum;
          runMax[run * kLowRankTile + c] = __float_as_uint(mx);
          run = at;
          sum = 0.0f;
          mx = 0.0f;
        }
        const float a = sa[rr * kLowRankEntryStride + c];
        sum += a;
        if (a > mx) mx = a;
      }
      sa[run * kLowRankEntryStride + c] = sum;
      runMax[run * kLowRankTile + c] = __float_as_uint(mx);
    }
    __syncthreads();

    // Stage 2: each run's keys summed along each cell column, one pair of atomics per cell.
    if (tid < runs) {
      const int64_t cellRow = runBase + tid;
      int64_t cell = lowrank::cellOf(colBegin, p.j0, width, p.cols);
      float sum = 0.0f;
      uint32_t mx = 0u;
      for (int c = 0; c < tileCols; ++c) {
        const int64_t at = lowrank::cellOf(colBegin + c, p.j0, width, p.cols);
        if (at != cell) {
          atomicAdd(&p.mapSum[cellRow * p.cols + cell], sum);
          atomicMax(&p.mapMax[cellRow * p.cols + cell], mx);
          cell = at;
          sum = 0.0f;
          mx = 0u;
        }
        sum += sa[tid * kLowRankEntryStride + c];
        const uint32_t bits = runMax[tid * kLowRankTile + c];
        if (bits > mx) mx = bits;
      }
      atomicAdd(&p.mapSum[cellRow * p.cols + cell], sum);
      atomicMax(&p.mapMax[cellRow * p.cols + cell], mx);
    }
  }
}

}  // namespace attnscope::kernels::device
