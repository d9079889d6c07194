// What the two tensor-core flash kernels (mma.sync, flash_fwd_mma_kernel.cuh;
// wgmma, flash_fwd_wgmma_kernel.cuh) do alike, on accumulators in the
// mma.sync C layout, which is also wgmma's: each thread holds two rows of
// its warp's 16 (g and g + 8), elements 0, 1 of a tile in row g, 2, 3 in
// row g + 8, columns 2 tig and + 1 of each 8-column tile.
#pragma once

#include <cmath>
#include <cstdint>

#include "cuda_compat.cuh"
#include "flash_common.cuh"
#include "mma_sm80.cuh"
#include "tile_math.hpp"

namespace attnscope::kernels::device {

// The thread's two query rows and what the walk needs to know of them:
// each row's part of the element rule (index, global flag, offsets) once,
// not per score.
struct FragmentRows {
  FlashRowRule rule[2];
  bool valid[2];
};

__device__ __forceinline__ FragmentRows fragmentRows(const FlashLayoutView& lay, int head, const FlashQueryTile& tile, int64_t warpRow0, int g) {
  FragmentRows r;
  for (int h = 0; h < 2; ++h) {
    const int64_t row = warpRow0 + g + 8 * h;
    r.valid[h] = row < tile.rowLimit;
    r.rule[h] = flashRowRule(lay, tile.qb, row, r.valid[h] && flashGlobalRow(lay, head, row));
  }
  return r;
}

// The 16-bit kernels keep each row's running max in log2 units of the scaled
// score, m2 = max(s) * scale * log2(e), so a weight exp(scale s - m) is
// exp2(s * scaleLog2 - m2): one FFMA and one EX2 per score, as FlashAttention
// does, where expf of the scaled score was a multiply, a subtract and expf's
// range reduction. The max is taken over raw scores (scale > 0 keeps the
// order). st.l is unchanged in meaning; writeRows turns m2 back into nats.
inline constexpr float kLog2e = 1.4426950408889634f, kLn2 = 0.6931471805599453f;

// 2^x with subnormal results flushed to 0: one MUFU.EX2. (exp2f keeps
// subnormals with a compare and two predicated multiplies around it; a weight
// below 2^-126 of the row's largest is far below what the 16-bit P V keeps.)
__device__ __forceinline__ float exp2Ftz(float x) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  const float y = std::exp2(x);
  return std::fpclassify(y) == FP_SUBNORMAL ? 0.0f : y;
#else
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
#endif
}

// onlineSoftmaxRescale in log2 units: chunkMax2 is the chunk's scaled max.
__device__ __forceinline__ float rescaleLog2(RowState& st, float chunkMax2) {
  if (chunkMax2 == -INFINITY) return 1.0f;  // nothing allowed in this chunk: state unchanged
  const float newMax = chunkMax2 > st.m ? chunkMax2 : st.m;
  const float rescale = st.m == -INFINITY ? 0.0f : exp2Ftz(st.m - newMax);
  st.l *= rescale;
  st.m = newMax;
  return rescale;
}

// One chunk's scores S into weights: mask (when the chunk needs it), scale
// and fold into each row's online softmax (m in log2 units, above). O is left
// alone: rescale[h] is the factor row h of O must take for the new maxima
// (rescaleRows), so a kernel may apply it later, once O is no longer being
// accumulated into. The 4 threads of a row group hold the row's other columns.
template <int ScoreTiles>
__device__ __forceinline__ void foldScores(float (&sAcc)[ScoreTiles][4], RowState (&st)[2], const FlashLayoutView& lay, const flash::SlotTable& slots,
                                           bool needsMask, const FragmentRows& r, float scale, int tig, float (&rescale)[2]) {
  const float scaleLog2 = scale * kLog2e;
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float chunkMax = -INFINITY;
#pragma unroll
    for (int nt = 0; nt < ScoreTiles; ++nt)
#pragma unroll
      for (int e = 2 * h; e < 2 * h + 2; ++e) {
        if (needsMask && !(r.valid[h] && flash::slotAllows(lay, slots, nt * 8 + tig * 2 + (e & 1), r.rule[h]))) sAcc[nt][e] = -INFINITY;
        chunkMax = fmaxf(chunkMax, sAcc[nt][e]);
      }
    chunkMax = fmaxf(chunkMax, __shfl_xor_sync(0xffffffffu, chunkMax, 1));
    chunkMax = fmaxf(chunkMax, __shfl_xor_sync(0xffffffffu, chunkMax, 2));
    rescale[h] = rescaleLog2(st[h], chunkMax * scaleLog2);
    // A row that has seen nothing yet (m = -inf) has only masked scores here:
    // with 0 for m they weigh exp2(-inf) = 0 instead of NaN, with no test per score.
    const float m = st[h].m == -INFINITY ? 0.0f : st[h].m;
    float share = 0.0f;
#pragma unroll
    for (int nt = 0; nt < ScoreTiles; ++nt)
#pragma unroll
      for (int e = 2 * h; e < 2 * h + 2; ++e) {
        sAcc[nt][e] = exp2Ftz(fmaf(sAcc[nt][e], scaleLog2, -m));
        share += sAcc[nt][e];
      }
    st[h].l += share;
  }
}

template <int OutTiles>
__device__ __forceinline__ void rescaleRows(float (&oAcc)[OutTiles][4], const float (&rescale)[2]) {
#pragma unroll
  for (int t = 0; t < OutTiles; ++t) {
    oAcc[t][0] *= rescale[0];
    oAcc[t][1] *= rescale[0];
    oAcc[t][2] *= rescale[1];
    oAcc[t][3] *= rescale[1];
  }
}

// foldScores and the rescale of O at once.
template <int ScoreTiles, int OutTiles>
__device__ __forceinline__ void foldChunk(float (&sAcc)[ScoreTiles][4], float (&oAcc)[OutTiles][4], RowState (&st)[2], const FlashLayoutView& lay,
                                          const flash::SlotTable& slots, bool needsMask, const FragmentRows& r, float scale, int tig) {
  float rescale[2];
  foldScores(sAcc, st, lay, slots, needsMask, r, scale, tig, rescale);
  rescaleRows(oAcc, rescale);
}

// P's A fragment for keys [16 kk, 16 kk + 16): score tiles 2 kk and 2 kk + 1
// become one A operand without a trip through shared memory.
template <bool Bf16, int ScoreTiles>
__device__ __forceinline__ void weightFragment(const float (&sAcc)[ScoreTiles][4], int kk, uint32_t (&a)[4]) {
  a[0] = pack2<Bf16>(sAcc[2 * kk][0], sAcc[2 * kk][1]);
  a[1] = pack2<Bf16>(sAcc[2 * kk][2], sAcc[2 * kk][3]);
  a[2] = pack2<Bf16>(sAcc[2 * kk + 1][0], sAcc[2 * kk + 1][1]);
  a[3] = pack2<Bf16>(sAcc[2 * kk + 1][2], sAcc[2 * kk + 1][3]);
}

// O / l for the thread's valid rows (a row with no allowed key is zero, as
// on the CPU), and each row's log-sum-exp when asked.
template <int OutTiles>
__device__ __forceinline__ void writeRows(const FlashParams& p, int head, const float (&oAcc)[OutTiles][4], const RowState (&st)[2], const FragmentRows& r, int tig) {
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float l = st[h].l;
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    if (!r.valid[h]) continue;
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    float* o = p.o + head * p.oHeadStride + r.rule[h].i * p.oRowStride;
#pragma unroll
    for (int t = 0; t < OutTiles; ++t) {
      o[t * 8 + tig * 2] = oAcc[t][2 * h] * inv;
      o[t * 8 + tig * 2 + 1] = oAcc[t][2 * h + 1] * inv;
    }
    if (p.lse && tig == 0) p.lse[head * p.lseHeadStride + r.rule[h].i] = rowLogSumExp(RowState{st[h].m * kLn2, l});  // m: log2 units
  }
}

}  // namespace attnscope::kernels::device
