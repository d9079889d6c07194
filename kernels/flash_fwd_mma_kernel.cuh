// Block-sparse flash forward, fp16/bf16 on tensor cores: mma.sync.m16n8k16
// (sm_80 and later) with fp32 accumulation. Same walk as the fp32 kernel
// (flash_common.cuh): each warp owns 16 query rows, the block's 4 warps share
// each chunk of K and V in shared memory. As in FlashAttention-2:
// - K and V chunks arrive by cp.async into two stages, so chunk c + 1's
//   copies run while chunk c is scored and applied; each copy reads its key
//   from the chunk's slot table, filled two chunks ahead (three tables);
// - every fragment comes from row-major tiles through ldmatrix (V through
//   its .trans form, so V needs no transposing store);
// - Q's fragments stay in registers up to d = 128;
// - S = Q K^T stays in registers; its C fragments become P's A fragments
//   without a trip through shared memory.
// None of this is measured yet: the GPU benchmark decides what stays.
//
// The kernel body only: flash_fwd_mma.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"
#include "flash_common.cuh"
#include "flash_mma_fold.cuh"
#include "flash_traits.hpp"
#include "mma_sm80.cuh"
#include "tile_math.hpp"

namespace attnscope::kernels::device {

template <int D, int DV, bool Bf16>
__global__ void __launch_bounds__(FlashMmaTraits<D, DV>::kThreads) flashForwardMma(FlashParams p) {
  using T = FlashMmaTraits<D, DV>;
  constexpr int kVec = 8;  // 16-bit elements per 16-byte copy
  constexpr int kVecPerRow = D / kVec;
  constexpr int kVecPerValueRow = DV / kVec;
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  uint16_t* sQ = reinterpret_cast<uint16_t*>(smem);
  uint16_t* sK = reinterpret_cast<uint16_t*>(smem + T::kSmemQ);             // [stage][kBlockN][kKStride]
  uint16_t* sV = reinterpret_cast<uint16_t*>(smem + T::kSmemQ + T::kSmemK);  // [stage][kBlockN][kVStride]
  unsigned char* const slotBase = smem + T::kSmemQ + T::kSmemK + T::kSmemV;

  const FlashLayoutView& lay = p.layout;
  const int head = blockIdx.y;
  const FlashQueryTile tile = flash::queryTileOf(lay, T::kBlockM);
  const uint16_t* q = static_cast<const uint16_t*>(p.q) + head * p.qHeadStride;
  const uint16_t* k = static_cast<const uint16_t*>(p.k) + head * p.kHeadStride;
  const uint16_t* v = static_cast<const uint16_t*>(p.v) + head * p.vHeadStride;
  const int64_t entryBegin = flashRowBegin(lay, head, tile.qb);
  const int64_t rowTiles = flashRowEnd(lay, head, tile.qb) - entryBegin;
  const int64_t chunks = (rowTiles * lay.block + T::kBlockN - 1) / T::kBlockN;
  const auto slotsOf = [&](int64_t chunk) {
    return flash::slotTableAt(slotBase + static_cast<int>(chunk % T::kSlotStages) * T::kSmemSlotStage, T::kBlockN);
  };
  uint8_t* const needsMaskOf = slotBase + T::kSlotStages * T::kSmemSlotStage;  // [table]: its chunk needs element masks
  // Slot tables are filled two chunks ahead of the fold, in walk order, each
  // chunk's cursor stepped from the last one's.
  FlashSlotCursor fillAt{0, 0u};
  const auto fillNext = [&](int64_t chunk) {
    const bool need = flash::fillSlots(lay, head, entryBegin, rowTiles, fillAt, T::kBlockN, tile.rowBegin, slotsOf(chunk));
    fillAt = flashSlotStep(lay, fillAt, T::kBlockN);
    return need;
  };

  // Chunk `chunk`'s K and V rows into stage `stage`, as one cp.async group,
  // each from the key its slot table holds (filled and published before);
  // padding slots (no key) are zero-filled.
  const auto loadChunk = [&](int64_t chunk, int stage) {
    uint16_t* dK = sK + stage * T::kBlockN * T::kKStride;
    uint16_t* dV = sV + stage * T::kBlockN * T::kVStride;
    const int32_t* key = slotsOf(chunk).key;
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerRow; idx += T::kThreads) {
      const int c = idx / kVecPerRow, c8 = idx % kVecPerRow;
      const int32_t j = key[c];
      cpAsync16(dK + c * T::kKStride + c8 * kVec, j >= 0 ? k + j * p.kRowStride + c8 * kVec : k, j >= 0);
    }
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerValueRow; idx += T::kThreads) {
      const int c = idx / kVecPerValueRow, c8 = idx % kVecPerValueRow;
      const int32_t j = key[c];
      cpAsync16(dV + c * T::kVStride + c8 * kVec, j >= 0 ? v + j * p.vRowStride + c8 * kVec : v, j >= 0);
    }
    cpAsyncCommit();
  };

  // Q tile (rows outside this layout block zero), the first two chunks'
  // slot tables, then the first chunk in flight.
  for (int idx = threadIdx.x; idx < T::kBlockM * kVecPerRow; idx += T::kThreads) {
    const int r = idx / kVecPerRow, c8 = idx % kVecPerRow;
    const int64_t i = tile.rowBegin + r;
    cpAsync16(sQ + r * T::kQStride + c8 * kVec, i < tile.rowLimit ? q + i * p.qRowStride + c8 * kVec : q, i < tile.rowLimit);
  }
  cpAsyncCommit();
  if (chunks > 0) {
    const bool first = fillNext(0);
    const bool second = chunks > 1 && fillNext(1);
    const bool firstNeedsMask = __syncthreads_or(first) != 0;  // also publishes both tables
    const bool secondNeedsMask = __syncthreads_or(second) != 0;
    if (threadIdx.x == 0) {
      needsMaskOf[0] = firstNeedsMask;
      needsMaskOf[1] = secondNeedsMask;
    }
    loadChunk(0, 0);
  }

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2, tig = lane & 3;  // fragment row group and thread-in-group (PTX ISA names)
  const int64_t warpRow0 = tile.rowBegin + 16 * warp;
  const bool warpActive = warpRow0 < tile.rowLimit;  // uniform over the warp
  const FragmentRows rows = fragmentRows(lay, head, tile, warpRow0, g);

  float oAcc[T::kOutTiles][4];
#pragma unroll
  for (int t = 0; t < T::kOutTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) oAcc[t][e] = 0.0f;
  RowState st[2] = {initialRowState(), initialRowState()};  // l: this thread's share of the row

  // Q's fragments, once, where they stay in registers (the Q group is the older one in flight).
  uint32_t qFrag[T::kQInRegisters ? D / 16 : 1][4];
  if constexpr (T::kQInRegisters) {
    if (chunks > 0) cpAsyncWait<1>();
    else cpAsyncWait<0>();
    __syncthreads();
    if (warpActive)
#pragma unroll
      for (int ks = 0; ks < D / 16; ++ks) ldmatrixX4<false>(qFrag[ks], rowsForA(sQ, T::kQStride, 16 * warp, ks * 16, lane));
  }

  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int stage = static_cast<int>(chunk & 1);
    __syncthreads();  // chunk - 1's stage and slot table are no longer read
    const bool more = chunk + 1 < chunks;
    if (more) loadChunk(chunk + 1, stage ^ 1);  // from its table, filled a turn ago
    const bool localNeed = chunk + 2 < chunks && fillNext(chunk + 2);  // into chunk - 1's table
    if (more) cpAsyncWait<1>();  // this thread's copies of the chunk (and of Q) have landed
    else cpAsyncWait<0>();
    const bool afterNeedsMask = __syncthreads_or(localNeed) != 0;  // everyone's copies and chunk + 2's table are visible
    if (threadIdx.x == 0) needsMaskOf[(chunk + 2) % T::kSlotStages] = afterNeedsMask;  // in place of chunk - 1's, read before this turn's first barrier
    if (!warpActive) continue;
    const uint16_t* cK = sK + stage * T::kBlockN * T::kKStride;
    const uint16_t* cV = sV + stage * T::kBlockN * T::kVStride;

    float sAcc[T::kScoreTiles][4];
#pragma unroll
    for (int t = 0; t < T::kScoreTiles; ++t)
#pragma unroll
      for (int e = 0; e < 4; ++e) sAcc[t][e] = 0.0f;
    // One k16 step of S against every key of the chunk, two n8 tiles per ldmatrix.
    const auto scoreStep = [&](const uint32_t(&a)[4], int ks) {
#pragma unroll
      for (int nt = 0; nt < T::kScoreTiles; nt += 2) {
        uint32_t b[4];
        ldmatrixX4<false>(b, rowsForBFromNk(cK, T::kKStride, nt * 8, ks * 16, lane));
        mma16816<Bf16>(sAcc[nt], a, b[0], b[1]);
        mma16816<Bf16>(sAcc[nt + 1], a, b[2], b[3]);
      }
    };
#pragma unroll
    for (int ks = 0; ks < D / 16; ++ks) {
      if constexpr (T::kQInRegisters) {
        scoreStep(qFrag[ks], ks);
      } else {
        uint32_t a[4];
        ldmatrixX4<false>(a, rowsForA(sQ, T::kQStride, 16 * warp, ks * 16, lane));
        scoreStep(a, ks);
      }
    }

    foldChunk(sAcc, oAcc, st, lay, slotsOf(chunk), needsMaskOf[chunk % T::kSlotStages] != 0, rows, p.scale, tig);

    // O += P V, P's A fragment for keys [16 kk, 16 kk + 16) from score tiles 2 kk and 2 kk + 1.
#pragma unroll
    for (int kk = 0; kk < T::kBlockN / 16; ++kk) {
      uint32_t a[4];
      weightFragment<Bf16>(sAcc, kk, a);
#pragma unroll
      for (int t = 0; t < T::kOutTiles; t += 2) {
        uint32_t b[4];
        ldmatrixX4<true>(b, rowsForBFromKn(cV, T::kVStride, kk * 16, t * 8, lane));
        mma16816<Bf16>(oAcc[t], a, b[0], b[1]);
        mma16816<Bf16>(oAcc[t + 1], a, b[2], b[3]);
      }
    }
  }
  cpAsyncWait<0>();  // nothing may be in flight when the block exits (no chunk: only Q's group)

  if (!warpActive) return;  // after the loop: every thread took part in each barrier
  writeRows(p, head, oAcc, st, rows, tig);
}

// fp32 -> fp16/bf16 (round to nearest even), grid-stride: the kernel above reads 16-bit Q, K, V.
template <bool Bf16>
__global__ void convertFromFp32(const float* src, uint16_t* dst, int64_t count) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step) {
    if constexpr (Bf16) dst[i] = __bfloat16_as_ushort(__float2bfloat16_rn(src[i]));
    else dst[i] = __half_as_ushort(__float2half_rn(src[i]));
  }
}

}  // namespace attnscope::kernels::device
