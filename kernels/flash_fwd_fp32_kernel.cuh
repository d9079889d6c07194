// Block-sparse flash forward, fp32 on CUDA cores. One block owns kBlockM
// query rows of one layout query block and one head; it walks that query
// block's listed key tiles in chunks of kBlockN slots (flash_common.cuh),
// scores them against Q from shared memory, and folds each chunk into the
// rows' online softmax (tile_math.hpp). Nothing n x n exists.
//
// The kernel body only: flash_fwd_fp32.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include "cuda_compat.cuh"
#include "flash_common.cuh"
#include "flash_traits.hpp"
#include "tile_math.hpp"

namespace attnscope::kernels::device {

template <int D, int DV>
__global__ void __launch_bounds__(FlashFp32Traits<D, DV>::kThreads) flashForwardFp32(FlashParams p) {
  using T = FlashFp32Traits<D, DV>;
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  float* sQ = reinterpret_cast<float*>(smem);
  float* sK = reinterpret_cast<float*>(smem + T::kSmemQ);
  float* sV = reinterpret_cast<float*>(smem + T::kSmemQ + T::kSmemK);
  unsigned char* const slotBase = smem + T::kSmemQ + T::kSmemK + T::kSmemV;

  const FlashLayoutView& lay = p.layout;
  const int head = blockIdx.y;
  const FlashQueryTile tile = flash::queryTileOf(lay, T::kBlockM);
  const float* q = static_cast<const float*>(p.q) + head * p.qHeadStride;
  const float* k = static_cast<const float*>(p.k) + head * p.kHeadStride;
  const float* v = static_cast<const float*>(p.v) + head * p.vHeadStride;

  // Q tile, pre-scaled; rows outside this layout block are zero and never written.
  for (int idx = threadIdx.x; idx < T::kBlockM * D; idx += T::kThreads) {
    const int r = idx / D, c = idx % D;
    const int64_t i = tile.rowBegin + r;
    sQ[r * T::kQStride + c] = i < tile.rowLimit ? q[i * p.qRowStride + c] * p.scale : 0.0f;
  }

  const int r = threadIdx.x / T::kThreadsPerRow;     // this thread's row in the tile
  const int quarter = threadIdx.x % T::kThreadsPerRow;  // which keys it scores, which columns it owns
  const int64_t row = tile.rowBegin + r;
  const bool rowValid = row < tile.rowLimit;
  const FlashRowRule rowRule = flashRowRule(lay, tile.qb, row, rowValid && flashGlobalRow(lay, head, row));  // once, not per score

  float acc[T::kColsPerThread];
#pragma unroll
  for (int u = 0; u < T::kColsPerThread; ++u) acc[u] = 0.0f;
  RowState st = initialRowState();  // l is this thread's share; the row's 4 shares add up at the end

  const int64_t entryBegin = flashRowBegin(lay, head, tile.qb);
  const int64_t rowTiles = flashRowEnd(lay, head, tile.qb) - entryBegin;
  const int64_t chunks = (rowTiles * lay.block + T::kBlockN - 1) / T::kBlockN;
  const auto slotsOf = [&](int64_t chunk) { return flash::slotTableAt(slotBase + (chunk & 1) * T::kSmemSlotStage, T::kBlockN); };
  // Slot tables are filled a chunk ahead, in walk order, each chunk's cursor
  // stepped from the last one's.
  FlashSlotCursor fillAt{0, 0u};
  const auto fillNext = [&](int64_t chunk) {
    const bool need = flash::fillSlots(lay, head, entryBegin, rowTiles, fillAt, T::kBlockN, tile.rowBegin, slotsOf(chunk));
    fillAt = flashSlotStep(lay, fillAt, T::kBlockN);
    return need;
  };
  bool needsMask = false;  // of the chunk whose table was filled last
  if (chunks > 0) needsMask = __syncthreads_or(fillNext(0)) != 0;
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const flash::SlotTable slotTable = slotsOf(chunk);
    __syncthreads();  // the previous chunk's K, V and slot table are no longer read; this chunk's table is visible
    for (int idx = threadIdx.x; idx < T::kBlockN * D; idx += T::kThreads) {
      const int c = idx / D, col = idx % D;
      const int32_t j = slotTable.key[c];
      sK[c * T::kKStride + col] = j >= 0 ? k[j * p.kRowStride + col] : 0.0f;
    }
    for (int idx = threadIdx.x; idx < T::kBlockN * DV; idx += T::kThreads) {
      const int c = idx / DV, col = idx % DV;
      const int32_t j = slotTable.key[c];
      sV[c * T::kVStride + col] = j >= 0 ? v[j * p.vRowStride + col] : 0.0f;
    }
    const bool localNeed = chunk + 1 < chunks && fillNext(chunk + 1);  // into the previous chunk's table
    const bool chunkNeedsMask = needsMask;
    needsMask = __syncthreads_or(localNeed) != 0;  // K, V and the next chunk's table are visible

    // Q's element x read once for all this thread's keys: one shared load
    // per FMA plus one per kKeysPerThread, not two per FMA. Each score still
    // sums over x in ascending order.
    float s[T::kKeysPerThread];
#pragma unroll
    for (int u = 0; u < T::kKeysPerThread; ++u) s[u] = 0.0f;
#pragma unroll 4
    for (int x = 0; x < D; ++x) {
      const float qx = sQ[r * T::kQStride + x];
#pragma unroll
      for (int u = 0; u < T::kKeysPerThread; ++u) s[u] += qx * sK[(quarter + T::kThreadsPerRow * u) * T::kKStride + x];
    }
#pragma unroll
    for (int u = 0; u < T::kKeysPerThread; ++u) {
      const int c = quarter + T::kThreadsPerRow * u;
      if (chunkNeedsMask && !(rowValid && flash::slotAllows(lay, slotTable, c, rowRule))) s[u] = -INFINITY;
    }
    // Row max over the 4 threads of the row (adjacent lanes of one warp).
    float chunkMax = -INFINITY;
#pragma unroll
    for (int u = 0; u < T::kKeysPerThread; ++u) chunkMax = fmaxf(chunkMax, s[u]);
    chunkMax = fmaxf(chunkMax, __shfl_xor_sync(0xffffffffu, chunkMax, 1));
    chunkMax = fmaxf(chunkMax, __shfl_xor_sync(0xffffffffu, chunkMax, 2));
    const float rescale = onlineSoftmaxRescale(st, chunkMax);
#pragma unroll
    for (int u = 0; u < T::kColsPerThread; ++u) acc[u] *= rescale;
    float share = 0.0f;
#pragma unroll
    for (int u = 0; u < T::kKeysPerThread; ++u) {
      s[u] = chunkWeight(st, s[u]);
      share += s[u];
    }
    st.l += share;
    // Every thread needs every weight of its row: weight of slot quarter' + 4u
    // comes from lane (row base + quarter'), register u.
#pragma unroll
    for (int u = 0; u < T::kKeysPerThread; ++u) {
#pragma unroll
      for (int from = 0; from < T::kThreadsPerRow; ++from) {
        const float w = __shfl_sync(0xffffffffu, s[u], from, T::kThreadsPerRow);
        const int c = from + T::kThreadsPerRow * u;
#pragma unroll
        for (int x = 0; x < T::kColsPerThread; ++x) acc[x] += w * sV[c * T::kVStride + quarter + T::kThreadsPerRow * x];
      }
    }
  }

  float l = st.l;
  l += __shfl_xor_sync(0xffffffffu, l, 1);
  l += __shfl_xor_sync(0xffffffffu, l, 2);
  if (!rowValid) return;
  const float inv = l > 0.0f ? 1.0f / l : 0.0f;  // a row with no allowed key is zero, as on the CPU
  float* o = p.o + head * p.oHeadStride + row * p.oRowStride;
#pragma unroll
  for (int x = 0; x < T::kColsPerThread; ++x) o[quarter + T::kThreadsPerRow * x] = acc[x] * inv;
  if (p.lse && quarter == 0) p.lse[head * p.lseHeadStride + row] = rowLogSumExp(RowState{st.m, l});
}

}  // namespace attnscope::kernels::device
