// The bf16 forward kernel on AVX512-BF16 (with AVX-512 F/VL/BW/DQ). This file
// alone is compiled with -mavx512bf16 (core/CMakeLists.txt); everything it
// defines besides kernelsAvx512Bf16() has internal linkage (isa_table.hpp says
// why), and it uses no standard-library function.
//
// Same structure as kernel_body.inc: base-2 scores (Q pre-scaled by
// scale * log2 e), a query block taken segment by segment and row group by
// row group (6 rows), online softmax in fp32, P V into an fp32 accumulator,
// normalised at the end. What differs: Q (scaled), K and V are rounded to
// bf16 (nearest even) when packed, and both products run on vdpbf16ps, which
// multiplies pairs of bf16 and adds both products into an fp32 lane: twice
// the multiply-adds of an fp32 FMA per instruction. The scores stay fp32; P
// is rounded to bf16 for P V, and the row sums add the rounded P so the
// weights used are the weights normalised.
#include <cstdint>
#include <immintrin.h>

#include "backend/cpu/kernels_bf16.hpp"

namespace attnscope::cpu {

namespace {

constexpr int MR = 6;   // rows per micro-tile
constexpr int SNV = 4;  // score micro-tile: 6 rows x 4 stripes = 24 accumulators
constexpr int ONV = 4;  // output micro-tile: 6 rows x 64 values

#include "backend/cpu/bf16_common.inc"

inline __m512bh asBh(__m512i x) { return (__m512bh)x; }
inline __m512bh bcastPair(const uint32_t* p) { return asBh(_mm512_set1_epi32(static_cast<int>(*p))); }

// c[r][0 .. NV*16) = sum over depth pairs of q pairs (a[r*d2 + k]) . K pairs,
// NV stripes of packed K starting at b (stripe stride bStripe bf16).
template <int R, int NV>
inline void microScores(const uint32_t* a, i64 d2, const Bf16* b, i64 bStripe, float* c, i64 ldc) {
  V acc[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  for (i64 k = 0; k < d2; ++k) {
    __m512bh bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = asBh(_mm512_loadu_si512(b + v * bStripe + k * 2 * kStripe));
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512bh av = bcastPair(a + r * d2 + k);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + r * ldc + v * W, acc[r][v]);
}

template <int NV>
inline void scoresRows(int rows, const uint32_t* a, i64 d2, const Bf16* b, i64 bStripe, float* c, i64 ldc) {
  switch (rows) {
    case 1: microScores<1, NV>(a, d2, b, bStripe, c, ldc); break;
    case 2: microScores<2, NV>(a, d2, b, bStripe, c, ldc); break;
    case 3: microScores<3, NV>(a, d2, b, bStripe, c, ldc); break;
    case 4: microScores<4, NV>(a, d2, b, bStripe, c, ldc); break;
    case 5: microScores<5, NV>(a, d2, b, bStripe, c, ldc); break;
    case 6: microScores<6, NV>(a, d2, b, bStripe, c, ldc); break;
    default: break;
  }
}

inline void scores(int rows, int nv, const uint32_t* a, i64 d2, const Bf16* b, i64 bStripe, float* c, i64 ldc) {
  switch (nv) {
    case 1: scoresRows<1>(rows, a, d2, b, bStripe, c, ldc); break;
    case 2: scoresRows<2>(rows, a, d2, b, bStripe, c, ldc); break;
    case 3: scoresRows<3>(rows, a, d2, b, bStripe, c, ldc); break;
    case 4: scoresRows<4>(rows, a, d2, b, bStripe, c, ldc); break;
    default: break;
  }
}

// acc[r][0 .. NV*16) = acc * corr[r] + sum over key pairs of P pairs
// (p[r*ldp + k]) . V pairs, V packed per key pair with stride ldvp bf16.
template <int R, int NV>
inline void microOut(const uint32_t* p, i64 ldp, i64 pairs, const Bf16* v, i64 ldvp, float* acc, i64 lda, const float* corr) {
  V c[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const V cr = _mm512_set1_ps(corr[r]);
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) c[r][j] = _mm512_mul_ps(_mm512_loadu_ps(acc + r * lda + j * W), cr);
  }
  for (i64 k = 0; k < pairs; ++k) {
    __m512bh bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = asBh(_mm512_loadu_si512(v + k * ldvp + j * 2 * W));
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512bh av = bcastPair(p + r * ldp + k);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) c[r][j] = _mm512_dpbf16_ps(c[r][j], av, bv[j]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) _mm512_storeu_ps(acc + r * lda + j * W, c[r][j]);
}

template <int NV>
inline void outRows(int rows, const uint32_t* p, i64 ldp, i64 pairs, const Bf16* v, i64 ldvp, float* acc, i64 lda, const float* corr) {
  switch (rows) {
    case 1: microOut<1, NV>(p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 2: microOut<2, NV>(p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 3: microOut<3, NV>(p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 4: microOut<4, NV>(p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 5: microOut<5, NV>(p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 6: microOut<6, NV>(p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    default: break;
  }
}

inline void outVec(int rows, int nv, const uint32_t* p, i64 ldp, i64 pairs, const Bf16* v, i64 ldvp, float* acc, i64 lda, const float* corr) {
  switch (nv) {
    case 1: outRows<1>(rows, p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 2: outRows<2>(rows, p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 3: outRows<3>(rows, p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    case 4: outRows<4>(rows, p, ldp, pairs, v, ldvp, acc, lda, corr); break;
    default: break;
  }
}

// Base-2 scores of R rows over the stripes holding keys [ua, ub].
inline void groupScores(const uint32_t* qs, i64 d2, const Bf16* kt, int R, i64 ua, i64 ub, float* s, i64& base, i64& nvec) {
  const i64 s0 = ua / kStripe, s1 = ub / kStripe;
  base = s0 * kStripe;
  const i64 stripes = s1 - s0 + 1, stripeLen = kStripe * d2 * 2;
  for (i64 st = 0; st < stripes; st += SNV) {
    const i64 cnt = imin(SNV, stripes - st);
    scores(R, static_cast<int>(cnt), qs, d2, kt + (s0 + st) * stripeLen, stripeLen, s + st * kStripe, kScoreLd);
  }
  nvec = stripes;
}

i64 forwardScratchFloats(i64 rows, i64 d, i64 dv) {
  const i64 padded = roundUp(rows, MR);
  // query pairs, accumulator, m / l / corr, fp32 scores, bf16 P, alignment
  return padded * ((d + 1) / 2) + padded * roundUp(dv, W) + 3 * padded + MR * kScoreLd + MR * kScoreLd / 2 + 3 * 16;
}

void forwardBlock(const Bf16ForwardBlock& blk) {
  const i64 rows = blk.rows, d = blk.d, d2 = (d + 1) / 2, dv = blk.dv, padded = roundUp(rows, MR), dvp = roundUp(dv, W);
  uint32_t* qs = reinterpret_cast<uint32_t*>(align64(blk.scratch));
  float* acc = align64(reinterpret_cast<float*>(qs + padded * d2));
  float* m = acc + padded * dvp;
  float* l = m + padded;
  float* corr = l + padded;
  float* s = align64(corr + padded);
  Bf16* pbuf = reinterpret_cast<Bf16*>(align64(s + MR * kScoreLd));
  constexpr i64 ldp = kScoreLd / 2;  // P row stride in bf16 pairs
  packQuery(blk.q, blk.ldq, rows, padded, d, d2, blk.scale2, qs);
  for (i64 r = 0; r < padded; ++r) {
    m[r] = kNegInf;
    l[r] = 0.0f;
  }
  for (i64 i = 0; i < padded * dvp; ++i) acc[i] = 0.0f;
  const i64 ldvp = dvp * 2;  // bf16 per key pair of packed V
  for (i64 e = 0; e < blk.nSegs; ++e) {
    const Segment& sg = blk.segs[e];
    for (i64 g0 = 0; g0 < rows; g0 += MR) {
      const int R = static_cast<int>(imin(MR, rows - g0));
      i64 ua, ub;
      if (!groupRange(sg, g0, R, ua, ub)) continue;
      const i64 t0 = blk.clock ? blk.clock() : 0;
      i64 base = 0, nvec = 0;
      groupScores(qs + g0 * d2, d2, blk.kt, R, ua, ub, s, base, nvec);
      softmaxRows(sg, g0, R, s, pbuf, base, nvec, m, l, corr);
      const i64 t1 = blk.clock ? blk.clock() : 0;
      if (blk.clock) blk.phaseNs[0] += t1 - t0;
      if (dv == 0) continue;
      // Key pairs from the one holding ua to the one holding ub; base is even,
      // and P is 0 on the keys of those pairs outside the rows' ranges.
      const i64 pa = (ua - base) / 2, pairs = (ub - base) / 2 - pa + 1;
      const uint32_t* pv = reinterpret_cast<const uint32_t*>(pbuf) + pa;
      const Bf16* vrow = blk.v + (base / 2 + pa) * ldvp;
      for (i64 c0 = 0; c0 < dvp; c0 += ONV * W) {
        const int nv = static_cast<int>(imin(ONV, (dvp - c0) / W));
        outVec(R, nv, pv, ldp, pairs, vrow + c0 * 2, ldvp, acc + g0 * dvp + c0, dvp, corr);
      }
      if (blk.clock) blk.phaseNs[1] += blk.clock() - t1;
    }
  }
  finishRows(rows, dv, dvp, acc, m, l, blk.out, blk.ldo, blk.lse2);
}

}  // namespace

const Bf16Table& kernelsAvx512Bf16() {
  static const Bf16Table t{"avx512bf16", kMaxSegment, 1, packKeys, packValues, forwardScratchFloats, forwardBlock};
  return t;
}

}  // namespace attnscope::cpu
