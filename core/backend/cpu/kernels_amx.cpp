// The bf16 forward kernel on AMX tiles (AMX-TILE + AMX-BF16, with AVX-512 and
// AVX512-BF16 for the softmax). This file alone is compiled with -mamx-*
// (core/CMakeLists.txt); everything it defines besides kernelsAmx() has
// internal linkage (isa_table.hpp says why), and it uses no standard-library
// function.
//
// The structure of kernels_avx512bf16.cpp (segments, online softmax in fp32,
// P rounded to bf16, fp32 accumulator) with both products on tdpbf16ps: one
// instruction multiplies a 16 x 32 bf16 tile by a 32 x 16 one into 16 x 16
// fp32, 8192 multiply-adds. Measured on one core of a 2-core AMX machine:
// 2.9 TFLOP/s of tdpbf16ps alone, about 1 TFLOP/s with one 1 KiB tile load
// from L2 per product (as here), against about 120 GFLOP/s of fp32 FMAs;
// dense at n = 8192 ran 3x the fp32 kernel, with the softmax pass (AVX-512)
// about half of the time (removing it: 224 -> 125 ms).
//
// Tiles: 16 query rows at a time (a tile's 16 rows); 0-3 accumulate 16 x 16
// fp32 (four stripes of scores, or 64 output columns), 4 holds the A operand
// (Q: 16 rows x 32 depths; P: 16 rows x 32 keys), 5-7 the B operands (packed
// K: 16 depth pairs x 16 keys x 2, or packed V: 16 key pairs x 16 columns x
// 2). Both packings are already the pair-interleaved layout tdpbf16ps reads,
// so K and V tiles load straight from the packed buffers; Q and K depth pairs
// are padded to 16 (kernels_bf16.hpp, depthPairAlign).
#include <cstdint>
#include <immintrin.h>

#include "backend/cpu/kernels_bf16.hpp"

namespace attnscope::cpu {

namespace {

constexpr int TR = 16;       // query rows per tile
constexpr int kTilePairs = 16;  // depth (or key) pairs per A/B tile: 32 bf16, 64 bytes a row

#include "backend/cpu/bf16_common.inc"

struct alignas(64) TileConfig {
  uint8_t palette, startRow, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};

// Every tile 16 rows of 64 bytes (palette 1).
void configureTiles() {
  TileConfig c{};
  c.palette = 1;
  for (int t = 0; t < 8; ++t) {
    c.colsb[t] = 64;
    c.rows[t] = 16;
  }
  _tile_loadconfig(&c);
}

// One tile operand walked through memory: the tile k of a product starts at
// base + k * step bytes; its 16 rows are stride bytes apart. B operands also
// give next, the bytes from one output column tile's operand to the next.
struct TileWalk {
  const char* base;
  i64 step, stride, next;
};

// c[r * ldc + 16 j + x] (ldc in floats) = sum over k < count of A_k B_k,j for
// CNT output column tiles j: scores (A = Q, B = K stripes) and P V (A = P,
// B = V column tiles) are both this product.
template <int CNT>
void tileProduct(const TileWalk& a, const TileWalk& b, i64 count, float* c, i64 ldc) {
  _tile_zero(0);
  if constexpr (CNT > 1) _tile_zero(1);
  if constexpr (CNT > 2) _tile_zero(2);
  if constexpr (CNT > 3) _tile_zero(3);
  for (i64 k = 0; k < count; ++k) {
    const char* bk = b.base + k * b.step;
    _tile_loadd(4, a.base + k * a.step, a.stride);
    _tile_loadd(5, bk, b.stride);
    _tile_dpbf16ps(0, 4, 5);
    if constexpr (CNT > 1) {
      _tile_loadd(6, bk + b.next, b.stride);
      _tile_dpbf16ps(1, 4, 6);
    }
    if constexpr (CNT > 2) {
      _tile_loadd(7, bk + 2 * b.next, b.stride);
      _tile_dpbf16ps(2, 4, 7);
    }
    if constexpr (CNT > 3) {
      _tile_loadd(5, bk + 3 * b.next, b.stride);
      _tile_dpbf16ps(3, 4, 5);
    }
  }
  const i64 ld = ldc * 4;
  _tile_stored(0, c, ld);
  if constexpr (CNT > 1) _tile_stored(1, c + 16, ld);
  if constexpr (CNT > 2) _tile_stored(2, c + 32, ld);
  if constexpr (CNT > 3) _tile_stored(3, c + 48, ld);
}

// The same for cnt = 1 .. 4 column tiles.
void tileProduct(int cnt, const TileWalk& a, const TileWalk& b, i64 count, float* c, i64 ldc) {
  switch (cnt) {
    case 1: tileProduct<1>(a, b, count, c, ldc); break;
    case 2: tileProduct<2>(a, b, count, c, ldc); break;
    case 3: tileProduct<3>(a, b, count, c, ldc); break;
    default: tileProduct<4>(a, b, count, c, ldc); break;
  }
}

template <typename T>
const char* bytes(const T* p) { return reinterpret_cast<const char*>(p); }

i64 forwardScratchFloats(i64 rows, i64 d, i64 dv) {
  const i64 padded = roundUp(rows, TR), d2p = roundUp((d + 1) / 2, kTilePairs);
  // query pairs, accumulator, m / l / corr, fp32 scores, bf16 P, one P V product, alignment
  return padded * d2p + padded * roundUp(dv, W) + 3 * padded + TR * kScoreLd + TR * kScoreLd / 2 + TR * 64 + 5 * 16;
}

void forwardBlock(const Bf16ForwardBlock& blk) {
  const i64 rows = blk.rows, d = blk.d, d2p = roundUp((d + 1) / 2, kTilePairs), dv = blk.dv, padded = roundUp(rows, TR), dvp = roundUp(dv, W);
  uint32_t* qs = reinterpret_cast<uint32_t*>(align64(blk.scratch));
  float* acc = align64(reinterpret_cast<float*>(qs + padded * d2p));
  float* m = acc + padded * dvp;
  float* l = m + padded;
  float* corr = l + padded;
  float* s = align64(corr + padded);
  Bf16* pbuf = reinterpret_cast<Bf16*>(align64(s + TR * kScoreLd));
  float* tmp = align64(reinterpret_cast<float*>(pbuf + TR * kScoreLd));
  packQuery(blk.q, blk.ldq, rows, padded, d, d2p, blk.scale2, qs);
  for (i64 r = 0; r < padded; ++r) {
    m[r] = kNegInf;
    l[r] = 0.0f;
  }
  for (i64 i = 0; i < padded * dvp; ++i) acc[i] = 0.0f;
  const i64 ldvp = dvp * 2, stripeLen = kStripe * d2p * 2;
  configureTiles();
  for (i64 e = 0; e < blk.nSegs; ++e) {
    const Segment& sg = blk.segs[e];
    for (i64 g0 = 0; g0 < rows; g0 += TR) {
      const int R = static_cast<int>(imin(TR, rows - g0));
      i64 ua, ub;
      if (!groupRange(sg, g0, R, ua, ub)) continue;
      const i64 t0 = blk.clock ? blk.clock() : 0;
      const i64 s0 = ua / kStripe, stripes = ub / kStripe - s0 + 1, base = s0 * kStripe;
      // Scores: A = 16 rows of Q (d2p pairs a row), B = K stripes of 16 keys.
      const TileWalk qa{bytes(qs + g0 * d2p), kTilePairs * 4, d2p * 4, 0};
      for (i64 st = 0; st < stripes; st += 4) {
        const TileWalk kb{bytes(blk.kt + (s0 + st) * stripeLen), kTilePairs * 2 * kStripe * 2, 64, stripeLen * 2};
        tileProduct(static_cast<int>(imin(4, stripes - st)), qa, kb, d2p / kTilePairs, s + st * kStripe, kScoreLd);
      }
      softmaxRows(sg, g0, R, s, pbuf, base, stripes, m, l, corr);
      const i64 t1 = blk.clock ? blk.clock() : 0;
      if (blk.clock) blk.phaseNs[0] += t1 - t0;
      if (dv == 0) continue;
      // Keys from the even one at or before ua, in chunks of 32; P is zero
      // outside each row's keys and is zeroed past the scored stripes.
      const i64 k0 = (ua - base) / 2 * 2, chunks = (ub - base + 1 - k0 + 31) / 32, kEnd = k0 + chunks * 32;
      for (int r = 0; r < R; ++r)
        for (i64 k = stripes * kStripe; k < kEnd; k += W) _mm256_storeu_si256(reinterpret_cast<__m256i*>(pbuf + r * kScoreLd + k), _mm256_setzero_si256());
      const Bf16* vrow = blk.v + (base + k0) / 2 * ldvp;
      // P V: A = 16 rows of P (32 keys a tile), B = V column tiles (16 key pairs).
      const TileWalk pa{bytes(pbuf + k0), 2 * kTilePairs * 2, kScoreLd * 2, 0};
      for (i64 c0 = 0; c0 < dvp; c0 += 64) {
        const i64 cnt = imin(4, (dvp - c0) / W);
        const TileWalk vb{bytes(vrow + c0 * 2), kTilePairs * ldvp * 2, ldvp * 2, 2 * W * 2};
        tileProduct(static_cast<int>(cnt), pa, vb, chunks, tmp, 64);
        for (int r = 0; r < R; ++r) {
          float* a = acc + (g0 + r) * dvp + c0;
          const V cr = _mm512_set1_ps(corr[r]);
          for (i64 j = 0; j < cnt; ++j)
            _mm512_storeu_ps(a + j * W, _mm512_fmadd_ps(_mm512_loadu_ps(a + j * W), cr, _mm512_loadu_ps(tmp + r * 64 + j * W)));
        }
      }
      if (blk.clock) blk.phaseNs[1] += blk.clock() - t1;
    }
  }
  _tile_release();
  finishRows(rows, dv, dvp, acc, m, l, blk.out, blk.ldo, blk.lse2);
}

}  // namespace

const Bf16Table& kernelsAmx() {
  // Depth pairs padded to a whole tile.
  static const Bf16Table t{"amx", kMaxSegment, kTilePairs, packKeys, packValues, forwardScratchFloats, forwardBlock};
  return t;
}

}  // namespace attnscope::cpu
