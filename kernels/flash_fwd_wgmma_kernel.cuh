// Block-sparse flash forward on sm_90, fp16/bf16 through wgmma with fp32
// accumulation. The same walk, masks and online softmax as the mma.sync
// kernel (flash_common.cuh, flash_mma_fold.cuh); what differs is where the
// operands live: one warpgroup issues each product for all 64 rows at once,
// reading Q, K and V from 128-byte swizzled shared tiles through descriptors
// (wgmma_sm90.cuh) and P from registers. Q, K and V tiles arrive by TMA
// (tma_sm90.cuh) when the layout's tiles let a chunk be a few whole boxes
// (flash_tma_plan.hpp), else by cp.async gathered slot by slot, so every
// variant's layout runs here as in the mma.sync kernel. Two K/V stages: the
// next chunk's copies run while this one is used.
// Not yet run on a GPU: FlashPath::Auto keeps the mma.sync kernel until a GPU
// run shows this one correct and faster (docs/cuda.md).
//
// The kernel body only: flash_fwd_wgmma.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"
#include "flash_common.cuh"
#include "flash_mma_fold.cuh"
#include "flash_traits.hpp"
#include "mma_sm80.cuh"
#include "tile_math.hpp"
#include "tma_sm90.cuh"
#include "wgmma_sm90.cuh"

namespace attnscope::kernels::device {

template <int D, int DV, bool Bf16>
__global__ void __launch_bounds__(FlashWgmmaTraits<D, DV>::kThreads) flashForwardWgmma(FlashParams p, const ATTNSCOPE_GRID_CONSTANT FlashTmaMaps maps) {
  using T = FlashWgmmaTraits<D, DV>;
  constexpr int kVec = 8;  // 16-bit elements per 16-byte copy
  constexpr int kVecPerRow = D / kVec;
  constexpr int kVecPerValueRow = DV / kVec;
  ATTNSCOPE_DYNAMIC_SHARED(smemWindow);
  // Tiles start on a 1024-byte shared address, where the hardware's swizzle pattern starts.
  unsigned char* const smem = smemWindow + (T::kSmemAlign - sharedAddress(smemWindow) % T::kSmemAlign) % T::kSmemAlign;
  uint16_t* sQ = reinterpret_cast<uint16_t*>(smem);                          // [D / 64][kBlockM][64], swizzled
  uint16_t* sK = reinterpret_cast<uint16_t*>(smem + T::kSmemQ);              // [stage][D / 64][kBlockN][64]
  uint16_t* sV = reinterpret_cast<uint16_t*>(smem + T::kSmemQ + T::kSmemK);  // [stage][DV / 64][kBlockN][64]
  unsigned char* const slotBase = smem + T::kSmemQ + T::kSmemK + T::kSmemV;
  constexpr int kKStageElems = static_cast<int>(T::kSmemKStage / 2), kVStageElems = static_cast<int>(T::kSmemVStage / 2);
  uint64_t* const bars = reinterpret_cast<uint64_t*>(smem + T::kSmemQ + T::kSmemK + T::kSmemV + T::kSmemSlots);  // [0]: Q, [1 + stage]: K and V
  const bool tma = maps.keyBoxRows > 0;  // uniform over the launch

  const FlashLayoutView& lay = p.layout;
  const int head = blockIdx.y;
  const FlashQueryTile tile = flash::queryTileOf(lay, T::kBlockM);
  const uint16_t* q = static_cast<const uint16_t*>(p.q) + head * p.qHeadStride;
  const uint16_t* k = static_cast<const uint16_t*>(p.k) + head * p.kHeadStride;
  const uint16_t* v = static_cast<const uint16_t*>(p.v) + head * p.vHeadStride;
  const int64_t entryBegin = flashRowBegin(lay, head, tile.qb);
  const int64_t rowTiles = flashRowEnd(lay, head, tile.qb) - entryBegin;
  const int64_t chunks = (rowTiles * lay.block + T::kBlockN - 1) / T::kBlockN;
  const auto slotsOf = [&](int64_t chunk) { return flash::slotTableAt(slotBase + (chunk & 1) * T::kSmemSlotStage, T::kBlockN); };
  // Slot tables are filled ahead of the chunk's copies, in walk order, each
  // chunk's cursor stepped from the last one's.
  FlashSlotCursor fillAt{0, 0u};
  const auto fillNext = [&](int64_t chunk) {
    const bool need = flash::fillSlots(lay, head, entryBegin, rowTiles, fillAt, T::kBlockN, tile.rowBegin, slotsOf(chunk));
    fillAt = flashSlotStep(lay, fillAt, T::kBlockN);
    return need;
  };

  // Chunk `chunk`'s K and V rows into stage `stage`, swizzled, as one
  // cp.async group, each from the key its slot table holds (filled and
  // published before); padding slots (no key) are zero-filled.
  const auto loadChunk = [&](int64_t chunk, int stage) {
    uint16_t* dK = sK + stage * kKStageElems;
    uint16_t* dV = sV + stage * kVStageElems;
    const int32_t* key = slotsOf(chunk).key;
    if (tma) {
      // One thread issues the chunk's boxes, each `rows` keys of one layout
      // tile (64-column panels of K, then of V); a box whose first slot has
      // no key (past the row's tiles, or past the last key) starts past the
      // last key, which TMA fills with zeros.
      if (threadIdx.x != 0) return;
      const int rows = maps.keyBoxRows;
      mbarrierArriveExpectTx(&bars[1 + stage], static_cast<uint32_t>(T::kBlockN * (D + DV) * 2));
      for (int b = 0; b < T::kBlockN / rows; ++b) {
        const int32_t first = key[b * rows];
        const int64_t j = first >= 0 ? first : p.nKeys;
        for (int panel = 0; panel < D / 64; ++panel)
          tmaLoad3d(dK + panel * T::kBlockN * 64 + b * rows * 64, &maps.k, panel * 64, static_cast<int>(j), head, &bars[1 + stage]);
        for (int panel = 0; panel < DV / 64; ++panel)
          tmaLoad3d(dV + panel * T::kBlockN * 64 + b * rows * 64, &maps.v, panel * 64, static_cast<int>(j), head, &bars[1 + stage]);
      }
      return;
    }
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerRow; idx += T::kThreads) {
      const int c = idx / kVecPerRow, c8 = idx % kVecPerRow;
      const int32_t j = key[c];
      cpAsync16(dK + swizzledChunk(T::kBlockN, c, c8), j >= 0 ? k + j * p.kRowStride + c8 * kVec : k, j >= 0);
    }
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerValueRow; idx += T::kThreads) {
      const int c = idx / kVecPerValueRow, c8 = idx % kVecPerValueRow;
      const int32_t j = key[c];
      cpAsync16(dV + swizzledChunk(T::kBlockN, c, c8), j >= 0 ? v + j * p.vRowStride + c8 * kVec : v, j >= 0);
    }
    cpAsyncCommit();
  };

  // Q tile, the first two chunks' slot tables, then the first chunk in
  // flight. By cp.async, rows outside this
  // layout block are zero; by TMA they are the next block's rows (or zero
  // past n): either way no output row reads them, as masks and the final
  // write keep to rows below rowLimit.
  if (tma) {
    if (threadIdx.x == 0)
      for (int b = 0; b < 1 + T::kStages; ++b) mbarrierInit(&bars[b], 1);
    __syncthreads();  // the barriers are initialised before anyone uses them
    if (threadIdx.x == 0) {
      mbarrierArriveExpectTx(&bars[0], static_cast<uint32_t>(T::kBlockM * D * 2));
      for (int panel = 0; panel < D / 64; ++panel)
        tmaLoad3d(sQ + panel * T::kBlockM * 64, &maps.q, panel * 64, static_cast<int>(tile.rowBegin), head, &bars[0]);
    }
  } else {
    for (int idx = threadIdx.x; idx < T::kBlockM * kVecPerRow; idx += T::kThreads) {
      const int r = idx / kVecPerRow, c8 = idx % kVecPerRow;
      const int64_t i = tile.rowBegin + r;
      cpAsync16(sQ + swizzledChunk(T::kBlockM, r, c8), i < tile.rowLimit ? q + i * p.qRowStride + c8 * kVec : q, i < tile.rowLimit);
    }
    cpAsyncCommit();
  }
  bool needsMask = false, nextNeedsMask = false;  // of chunk 0, and of chunk 1
  if (chunks > 0) {
    const bool first = fillNext(0);
    const bool second = chunks > 1 && fillNext(1);
    needsMask = __syncthreads_or(first) != 0;  // also publishes both tables
    nextNeedsMask = __syncthreads_or(second) != 0;
    loadChunk(0, 0);
  }
  if (tma) mbarrierWait(&bars[0], 0);  // Q has landed (waited even with no chunk: no copy may outlive the block)

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2, tig = lane & 3;
  // Warp w of the warpgroup holds accumulator rows [16 w, 16 w + 16), as a warp of the mma.sync kernel does.
  const FragmentRows rows = fragmentRows(lay, head, tile, tile.rowBegin + 16 * warp, g);

  // Descriptors: the k16 step ks of a K-major tile with `rows` rows starts
  // in panel ks / 4, 32 bytes further per step inside the panel's 128-byte rows.
  const uint32_t qAddress = sharedAddress(sQ), kAddress = sharedAddress(sK), vAddress = sharedAddress(sV);
  const auto kMajorStep = [](uint32_t tileAddress, int tileRows, int ks) {
    return wgmmaDescriptor(tileAddress + static_cast<uint32_t>((ks / 4) * tileRows * 128 + (ks % 4) * 32), 16, 1024);
  };

  float oAcc[T::kOutTiles][4];
#pragma unroll
  for (int t = 0; t < T::kOutTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) oAcc[t][e] = 0.0f;
  float sAcc[T::kScoreTiles][4];
#pragma unroll
  for (int t = 0; t < T::kScoreTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) sAcc[t][e] = 0.0f;
  RowState st[2] = {initialRowState(), initialRowState()};  // l: this thread's share of the row

  // Chunk `chunk`'s tiles: past a barrier (everyone is done with the older
  // table), fill chunk + 1's slot table when `fillAfter` (its copies are
  // issued from it a turn later; the first two tables are filled above), then
  // wait for the chunk's copies (with cp.async, `newerInFlight` says a later
  // chunk's group was issued after it); returns whether chunk + 1 needs
  // element masks.
  const auto awaitChunk = [&](int64_t chunk, bool newerInFlight, bool fillAfter) {
    __syncthreads();
    const bool localNeed = fillAfter && chunk + 1 < chunks && fillNext(chunk + 1);
    if (tma) {
      mbarrierWait(&bars[1 + (chunk & 1)], static_cast<int>((chunk >> 1) & 1));  // the stage's boxes have landed (its (chunk / 2)-th phase)
    } else {
      if (newerInFlight) cpAsyncWait<1>();  // this thread's copies of the chunk (and of Q) have landed
      else cpAsyncWait<0>();
      fenceSharedForWgmma();  // ... and are visible to wgmma's reads
    }
    return __syncthreads_or(localNeed) != 0;  // everyone's copies and chunk + 1's table are visible
  };
  // S = Q K^T over a chunk's 64 keys from `stage`, D / 16 steps, one product group (not waited for).
  const auto issueScores = [&](int stage) {
    const uint32_t kStage = kAddress + static_cast<uint32_t>(stage * T::kSmemKStage);
    wgmmaFenceOperands(sAcc);
    wgmmaFence();
#pragma unroll
    for (int ks = 0; ks < D / 16; ++ks)
      wgmmaSharedA<T::kBlockN, Bf16>(sAcc, kMajorStep(qAddress, T::kBlockM, ks), kMajorStep(kStage, T::kBlockN, ks), ks > 0);
    wgmmaCommit();
  };
  // P's A fragments, all written before the P V product's fence (wgmma may
  // not read registers written after it; ptxas would insert an arrive).
  uint32_t pFrag[T::kBlockN / 16][4];
  const auto takeWeights = [&] {
#pragma unroll
    for (int kk = 0; kk < T::kBlockN / 16; ++kk) weightFragment<Bf16>(sAcc, kk, pFrag[kk]);
  };

  // The first chunk's scores and weights; then each turn issues the next
  // chunk's S and this chunk's O += P V together and folds the next S while
  // P V runs (FlashAttention-3's overlap within a warpgroup). O takes the
  // next chunk's rescale only after P V is waited for.
  if (chunks > 0) {
    if (chunks > 1) loadChunk(1, 1);
    awaitChunk(0, chunks > 1, false);
    issueScores(0);
    wgmmaWait<0>();
    wgmmaFenceOperands(sAcc);
    foldChunk(sAcc, oAcc, st, lay, slotsOf(0), needsMask, rows, p.scale, tig);
    takeWeights();
  }
  // O += P V of the chunk in `stage`: keys [16 kk, 16 kk + 16) are rows
  // 16 kk.. of the V tile, two 8-row groups 1024 bytes apart; its 64-column
  // panels are kBlockN * 128 bytes apart. One product group, not waited for.
  const auto issueValues = [&](int stage) {
    const uint32_t vStage = vAddress + static_cast<uint32_t>(stage * T::kSmemVStage);
    wgmmaFenceOperands(oAcc);
    wgmmaFence();
#pragma unroll
    for (int kk = 0; kk < T::kBlockN / 16; ++kk)
      wgmmaRegisterA<DV, Bf16>(oAcc, pFrag[kk], wgmmaDescriptor(vStage + static_cast<uint32_t>(kk * 2048), T::kBlockN * 128, 1024), true);
    wgmmaCommit();
  };
  // Every turn has a next chunk (the last chunk's P V follows the loop): no
  // branch between a product's issue and its wait, which ptxas would answer
  // by serialising the products.
  for (int64_t chunk = 0; chunk + 1 < chunks; ++chunk) {
    const int stage = static_cast<int>(chunk & 1);
    const bool afterNeedsMask = awaitChunk(chunk + 1, false, true);  // chunk + 2's table goes where chunk's was
    issueScores(stage ^ 1);
    issueValues(stage);
    wgmmaWait<1>();  // the next chunk's S (the older group) is done; P V may still run
    wgmmaFenceOperands(sAcc);
    float rescale[2];
    foldScores(sAcc, st, lay, slotsOf(chunk + 1), nextNeedsMask, rows, p.scale, tig, rescale);
    nextNeedsMask = afterNeedsMask;
    wgmmaWait<0>();
    wgmmaFenceOperands(oAcc);
    rescaleRows(oAcc, rescale);
    takeWeights();
    if (chunk + 2 < chunks) loadChunk(chunk + 2, stage);  // both of this stage's products are done with it; its table is visible
  }
  if (chunks > 0) {
    issueValues(static_cast<int>((chunks - 1) & 1));
    wgmmaWait<0>();
    wgmmaFenceOperands(oAcc);
  }
  cpAsyncWait<0>();  // nothing may be in flight when the block exits (no chunk: only Q's group)

  writeRows(p, head, oAcc, st, rows, tig);
}

}  // namespace attnscope::kernels::device
