// The flash layout's operator A on the GPU (flash_probe.hpp): one block owns
// 32 query rows of one layout query block and walks that block's listed key
// tiles in chunks of 32 slots, as the forward does (flash_common.cuh), with
// the same element rule. Scores are exact fp32 dot products, staged 32
// columns of d at a time; a = exp(s - lse_i) once the row's log-sum-exp is
// known, so no online rescaling is needed after the Lse pass.
//
// The kernel body only: flash_probe.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include "cuda_compat.cuh"
#include "flash_common.cuh"
#include "flash_probe.hpp"
#include "tile_math.hpp"

namespace attnscope::kernels::device {

namespace probe {

// Folds (m2, l2) into (m, l): two partial softmax states of one row.
__device__ __forceinline__ void combine(float& m, float& l, float m2, float l2) {
  if (m2 == -INFINITY) return;
  if (m == -INFINITY) {
    m = m2;
    l = l2;
    return;
  }
  const float mx = m > m2 ? m : m2;
  l = l * expf(m - mx) + l2 * expf(m2 - mx);
  m = mx;
}

struct Shared {
  unsigned long long* runCount;  // [32 runs][32 slots]: the map's per-chunk accumulators
  float* q;                      // [32][kProbeStride] Q rows, pre-scaled, one depth chunk
  float* k;                      // [32][kProbeStride] K rows of the chunk's slots
  float* a;                      // [32][kProbeStride] A's entries of the chunk (0 where not allowed)
  float* x;                      // [32][kProbeStride] a column chunk of x (Apply) or y (ApplyTransposed)
  float* runSum;
  uint32_t* runMax;
  flash::SlotTable slots;
  uint8_t* allowed;  // [32][32]
};

__device__ __forceinline__ Shared sharedAt(unsigned char* base) {
  Shared s;
  s.runCount = reinterpret_cast<unsigned long long*>(base);
  float* f = reinterpret_cast<float*>(base + kProbeRunCells * 8);
  s.q = f;
  s.k = f + kProbeTileFloats;
  s.a = f + 2 * kProbeTileFloats;
  s.x = f + 3 * kProbeTileFloats;
  s.runSum = f + 4 * kProbeTileFloats;
  s.runMax = reinterpret_cast<uint32_t*>(s.runSum + kProbeRunCells);
  unsigned char* table = reinterpret_cast<unsigned char*>(s.runMax + kProbeRunCells);
  s.slots = flash::slotTableAt(table, kProbeSlots);
  s.allowed = table + kProbeSlotTableBytes;
  return s;
}

// The MapGrid cell rule: floor((i - i0) * cells / extent), and the first
// position of a cell.
__device__ __forceinline__ int64_t cellOf(int64_t i, int64_t i0, int64_t extent, int64_t cells) { return (i - i0) * cells / extent; }
__device__ __forceinline__ int64_t cellStart(int64_t cell, int64_t i0, int64_t extent, int64_t cells) { return i0 + (cell * extent + cells - 1) / cells; }

// Whether key j is a summary; then its token range [lo, hi).
__device__ __forceinline__ bool summaryRange(const FlashProbeParams& p, int64_t j, int64_t* lo, int64_t* hi) {
  if (p.spreadStart < 0 || j < p.spreadStart) return false;
  *lo = (j - p.spreadStart) * p.spreadBlock;
  *hi = *lo + p.spreadBlock < p.tokens ? *lo + p.spreadBlock : p.tokens;
  return true;
}

// Whether key j puts weight on a column of [j0, j1).
__device__ __forceinline__ bool keyInRegion(const FlashProbeParams& p, int64_t j) {
  if (j < 0) return false;
  int64_t lo, hi;
  if (summaryRange(p, j, &lo, &hi)) return lo < p.j1 && hi > p.j0;
  return j >= p.j0 && j < p.j1;
}

}  // namespace probe

__global__ void __launch_bounds__(kProbeThreads) flashProbeFp32(FlashProbeParams p) {
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  const probe::Shared sh = probe::sharedAt(smem);
  const FlashLayoutView& lay = p.layout;
  const FlashQueryTile tile = flash::queryTileOf(lay, kProbeRows);
  const int tid = threadIdx.x;
  const int r = tid / 8;        // this thread's row in the tile
  const int lane8 = tid % 8;    // its slots: lane8 + 8u
  const int64_t row = tile.rowBegin + r;
  const bool rowValid = row < tile.rowLimit;
  const FlashRowRule rowRule = flashRowRule(lay, tile.qb, row, rowValid && flashGlobalRow(lay, p.head, row));  // once, not per score
  const int64_t tileEnd = tile.rowBegin + kProbeRows < tile.rowLimit ? tile.rowBegin + kProbeRows : tile.rowLimit;
  if (tile.rowBegin >= tile.rowLimit) return;  // a spare tile past the layout block (block-uniform)
  const bool map = p.mode == ProbeMode::Map;
  if (map && (tileEnd <= p.i0 || tile.rowBegin >= p.i1)) return;  // no row of the region (block-uniform)
  const float lseRow = rowValid && p.mode != ProbeMode::Lse ? p.lse[row] : 0.0f;

  float m = -INFINITY, l = 0.0f;  // Lse: this thread's share of its row
  const int64_t entryBegin = flashRowBegin(lay, p.head, tile.qb);
  const int64_t rowTiles = flashRowEnd(lay, p.head, tile.qb) - entryBegin;
  const int64_t virtualKeys = rowTiles * lay.block;
  FlashSlotCursor chunkAt{0, 0u};  // the chunk's first slot, stepped from the last chunk's
  for (int64_t t0 = 0; t0 < virtualKeys; t0 += kProbeSlots, chunkAt = flashSlotStep(lay, chunkAt, kProbeSlots)) {
    __syncthreads();  // the previous chunk's tables are no longer read
    flash::fillSlots(lay, p.head, entryBegin, rowTiles, chunkAt, kProbeSlots, tile.rowBegin, sh.slots);
    __syncthreads();
    if (map) {
      int inRegion = 0;
      if (tid < kProbeSlots) inRegion = probe::keyInRegion(p, sh.slots.key[tid]);
      if (__syncthreads_or(inRegion) == 0) continue;  // no column of the region in this chunk
    }

    float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int d0 = 0; d0 < p.d; d0 += kProbeDepth) {
      for (int idx = tid; idx < kProbeRows * kProbeDepth; idx += kProbeThreads) {
        const int rr = idx / kProbeDepth, col = idx % kProbeDepth;
        const int64_t i = tile.rowBegin + rr;
        const int32_t j = sh.slots.key[rr];  // rr doubles as the slot index (32 rows, 32 slots)
        const bool inDepth = d0 + col < p.d;
        sh.q[rr * kProbeStride + col] = i < tile.rowLimit && inDepth ? p.q[i * p.d + d0 + col] * p.scale : 0.0f;
        sh.k[rr * kProbeStride + col] = j >= 0 && inDepth ? p.k[static_cast<int64_t>(j) * p.d + d0 + col] : 0.0f;
      }
      __syncthreads();
      // Q's element read once for the thread's 4 keys; each chunk's partial
      // sum is formed in ascending x and then added, as before.
      float dot[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll 8
      for (int x = 0; x < kProbeDepth; ++x) {
        const float qx = sh.q[r * kProbeStride + x];
#pragma unroll
        for (int u = 0; u < 4; ++u) dot[u] += qx * sh.k[(lane8 + 8 * u) * kProbeStride + x];
      }
#pragma unroll
      for (int u = 0; u < 4; ++u) s[u] += dot[u];
      __syncthreads();
    }

#pragma unroll
    for (int u = 0; u < 4; ++u) {
      const int c = lane8 + 8 * u;
      const bool ok = rowValid && flash::slotAllows(lay, sh.slots, c, rowRule);
      if (p.mode == ProbeMode::Lse) {
        if (ok) probe::combine(m, l, s[u], 1.0f);
      } else {
        sh.a[r * kProbeStride + c] = ok && lseRow != -INFINITY ? expf(s[u] - lseRow) : 0.0f;
        sh.allowed[r * kProbeSlots + c] = ok ? 1 : 0;
      }
    }
    if (p.mode == ProbeMode::Lse) continue;
    __syncthreads();

    if (p.mode == ProbeMode::Apply) {
      // out_i += sum_c a_ic x_{key c}: each row's columns belong to this block alone.
      for (int64_t x0 = 0; x0 < p.columns; x0 += kProbeDepth) {
        for (int idx = tid; idx < kProbeSlots * kProbeDepth; idx += kProbeThreads) {
          const int c = idx / kProbeDepth, col = idx % kProbeDepth;
          const int32_t j = sh.slots.key[c];
          sh.x[c * kProbeStride + col] = j >= 0 && x0 + col < p.columns ? p.x[static_cast<int64_t>(j) * p.columns + x0 + col] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int w = 0; w < 4; ++w) {
          const int col = lane8 + 8 * w;
          float acc = 0.0f;
          for (int c = 0; c < kProbeSlots; ++c) acc += sh.a[r * kProbeStride + c] * sh.x[c * kProbeStride + col];
          if (rowValid && x0 + col < p.columns) p.out[row * p.columns + x0 + col] += acc;
        }
        __syncthreads();
      }
    } else if (p.mode == ProbeMode::ApplyTransposed) {
      // out_{key c} += sum_r a_rc y_r: keys are shared between query tiles, hence atomics.
      const int c = tid / 8;
      const int32_t j = sh.slots.key[c];
      for (int64_t x0 = 0; x0 < p.columns; x0 += kProbeDepth) {
        for (int idx = tid; idx < kProbeRows * kProbeDepth; idx += kProbeThreads) {
          const int rr = idx / kProbeDepth, col = idx % kProbeDepth;
          const int64_t i = tile.rowBegin + rr;
          sh.x[rr * kProbeStride + col] = i < tile.rowLimit && x0 + col < p.columns ? p.x[i * p.columns + x0 + col] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int w = 0; w < 4; ++w) {
          const int col = lane8 + 8 * w;
          float acc = 0.0f;
          for (int rr = 0; rr < kProbeRows; ++rr) acc += sh.a[rr * kProbeStride + c] * sh.x[rr * kProbeStride + col];
          if (j >= 0 && x0 + col < p.columns && acc != 0.0f) atomicAdd(&p.out[static_cast<int64_t>(j) * p.columns + x0 + col], acc);
        }
        __syncthreads();
      }
    } else {
      // Map: rows of one cell are added per slot (stage 1), then slots of one
      // cell per row run (stage 2), so a pooled cell takes a few atomics per
      // chunk rather than one per pair.
      const int64_t firstRow = tile.rowBegin > p.i0 ? tile.rowBegin : p.i0;
      const int64_t lastRow = (tileEnd < p.i1 ? tileEnd : p.i1) - 1;
      const int64_t runBase = probe::cellOf(firstRow, p.i0, p.i1 - p.i0, p.rows);
      const int runs = static_cast<int>(probe::cellOf(lastRow, p.i0, p.i1 - p.i0, p.rows) - runBase) + 1;
      for (int idx = tid; idx < kProbeRunCells; idx += kProbeThreads) {
        sh.runSum[idx] = 0.0f;
        sh.runMax[idx] = 0u;
        sh.runCount[idx] = 0ull;
      }
      __syncthreads();
      if (tid < kProbeSlots) {
        const int c = tid;
        for (int64_t i = firstRow; i <= lastRow; ++i) {
          const int rr = static_cast<int>(i - tile.rowBegin);
          const int run = static_cast<int>(probe::cellOf(i, p.i0, p.i1 - p.i0, p.rows) - runBase);
          const float a = sh.a[rr * kProbeStride + c];
          sh.runSum[run * kProbeSlots + c] += a;
          const uint32_t bits = __float_as_uint(a);
          if (bits > sh.runMax[run * kProbeSlots + c]) sh.runMax[run * kProbeSlots + c] = bits;
          sh.runCount[run * kProbeSlots + c] += sh.allowed[rr * kProbeSlots + c];
        }
      }
      __syncthreads();
      if (tid < runs) {
        const int64_t cellRow = runBase + tid;
        float sum = 0.0f;
        uint32_t mx = 0u;
        unsigned long long count = 0ull;
        int64_t cell = -1;
        auto flush = [&]() {
          if (cell >= 0 && count > 0) {
            const int64_t at = cellRow * p.cols + cell;
            atomicAdd(&p.mapSum[at], sum);
            atomicMax(&p.mapMax[at], mx);
            atomicAdd(&p.mapCount[at], count);
          }
          sum = 0.0f;
          mx = 0u;
          count = 0ull;
        };
        for (int c = 0; c < kProbeSlots; ++c) {
          const int32_t j = sh.slots.key[c];
          int64_t lo, hi;
          if (j >= 0 && probe::summaryRange(p, j, &lo, &hi)) {
            // A summary: its weight a spread as a / |range| over the range's columns.
            flush();
            cell = -1;
            const int at = tid * kProbeSlots + c;
            const float share = 1.0f / static_cast<float>(hi - lo);
            lo = lo > p.j0 ? lo : p.j0;
            hi = hi < p.j1 ? hi : p.j1;
            if (sh.runSum[at] == 0.0f || lo >= hi) continue;
            const float runMax = __uint_as_float(sh.runMax[at]) * share;
            for (int64_t cc = probe::cellOf(lo, p.j0, p.j1 - p.j0, p.cols); cc <= probe::cellOf(hi - 1, p.j0, p.j1 - p.j0, p.cols); ++cc) {
              const int64_t c0 = probe::cellStart(cc, p.j0, p.j1 - p.j0, p.cols), c1 = probe::cellStart(cc + 1, p.j0, p.j1 - p.j0, p.cols);
              const int64_t from = c0 > lo ? c0 : lo, to = c1 < hi ? c1 : hi;
              const int64_t cellAt = cellRow * p.cols + cc;
              atomicAdd(&p.mapSum[cellAt], sh.runSum[at] * share * static_cast<float>(to - from));
              atomicMax(&p.mapMax[cellAt], __float_as_uint(runMax));
            }
            continue;
          }
          const int64_t next = j >= p.j0 && j < p.j1 ? probe::cellOf(j, p.j0, p.j1 - p.j0, p.cols) : -1;
          if (next != cell) {
            flush();
            cell = next;
          }
          if (cell < 0) continue;
          const int at = tid * kProbeSlots + c;
          sum += sh.runSum[at];
          if (sh.runMax[at] > mx) mx = sh.runMax[at];
          count += sh.runCount[at];
        }
        flush();
      }
    }
  }

  if (p.mode == ProbeMode::Lse) {
    // The row's 8 shares (adjacent lanes of one warp).
    for (int step = 1; step < 8; step *= 2) {
      const float m2 = __shfl_xor_sync(0xffffffffu, m, step);
      const float l2 = __shfl_xor_sync(0xffffffffu, l, step);
      probe::combine(m, l, m2, l2);
    }
    if (rowValid && lane8 == 0) p.lse[row] = rowLogSumExp(RowState{m, l});
  }
}

}  // namespace attnscope::kernels::device
