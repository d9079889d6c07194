#include "backend/cpu/lowrank_kernels.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backend/cpu/cpu_isa.hpp"

namespace attnscope {

namespace {

// GCC vector extensions: 16 lanes, one zmm on AVX-512, split by the compiler
// elsewhere. Each ISA entry point below compiles the same always-inlined body
// with its own target; everything has internal linkage, so no inline copy
// built for one ISA can be picked for another.
typedef float VecF __attribute__((vector_size(64)));
typedef int32_t VecI __attribute__((vector_size(64)));
constexpr int kLanes = 16;

// 16 values at x, in place. Pointers, not vectors, cross the function
// boundary, so no vector-argument ABI differs between the ISA entry points.
[[gnu::always_inline]] inline void expLanes(float* x, int lanes, float shift, float floor, float floorValue) {
  VecF v{};
  std::memcpy(&v, x, sizeof(float) * static_cast<size_t>(lanes));
  const VecF lo = VecF{} - floor, zero = VecF{};
  v = v - shift;
  v = v > lo ? v : lo;
  // Cephes expf: v = n ln2 + r, |r| <= ln2 / 2, exp(r) by a degree-6 polynomial.
  const VecF magic = VecF{} + 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const VecF n = (v * 1.44269504088896341f + magic) - magic;
  const VecF r = (v - n * 0.693359375f) - n * -2.12194440e-4f;
  VecF p = VecF{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const VecI bits = (__builtin_convertvector(n, VecI) + 127) << 23;  // 2^n, n >= -126 since floor <= 87
  VecF scale;
  std::memcpy(&scale, &bits, sizeof scale);
  VecF e = p * scale - floorValue;
  e = e > zero ? e : zero;
  std::memcpy(x, &e, sizeof(float) * static_cast<size_t>(lanes));
}

[[gnu::always_inline]] inline void expBody(float* x, int64_t count, float shift, float floor) {
  const float floorValue = std::exp(-floor);
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) expLanes(x + i, kLanes, shift, floor, floorValue);
  if (i < count) expLanes(x + i, static_cast<int>(count - i), shift, floor, floorValue);
}

__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))) void expAvx512(float* x, int64_t count, float shift, float floor) {
  expBody(x, count, shift, floor);
}
// AVX2 by hand: built from the 16-lane body above, GCC 12 turned the clamps
// into one scalar max per lane through the stack (a quarter of
// transformer_xl's time at n = 512).
__attribute__((target("avx2,fma"))) inline __m256 expLanesAvx2(__m256 v, __m256 shift, __m256 lo, __m256 floorValue) {
  v = _mm256_max_ps(_mm256_sub_ps(v, shift), lo);
  const __m256 magic = _mm256_set1_ps(12582912.0f);
  const __m256 n = _mm256_sub_ps(_mm256_fmadd_ps(v, _mm256_set1_ps(1.44269504088896341f), magic), magic);
  const __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), v));
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 e = _mm256_sub_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(bits)), floorValue);
  return _mm256_max_ps(e, _mm256_setzero_ps());
}

__attribute__((target("avx2,fma"))) void expAvx2(float* x, int64_t count, float shift, float floor) {
  const __m256 sh = _mm256_set1_ps(shift), lo = _mm256_set1_ps(-floor), fv = _mm256_set1_ps(std::exp(-floor));
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) _mm256_storeu_ps(x + i, expLanesAvx2(_mm256_loadu_ps(x + i), sh, lo, fv));
  if (i < count) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count - i)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(x + i, mask, expLanesAvx2(_mm256_maskload_ps(x + i, mask), sh, lo, fv));
  }
}
void expGeneric(float* x, int64_t count, float shift, float floor) { expBody(x, count, shift, floor); }

// Thin product: a strip of R rows of `a` times a panel of 16 NZ columns of
// `b`, over tokens [j0, j1), added into out. R x NZ accumulators stay in
// registers (24 of the 32 zmm at 6 x 4).
template <int R, int NZ>
__attribute__((target("avx512f"))) void thinStrip(const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, int64_t j0, int64_t j1,
                                                   float* out, int64_t ldo) {
  // Fully unrolled, so the accumulators live in registers, not on the stack.
  __m512 acc[R][NZ];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int z = 0; z < NZ; ++z) acc[r][z] = _mm512_setzero_ps();
  for (int64_t j = j0; j < j1; ++j) {
    __m512 x[NZ];
#pragma GCC unroll 4
    for (int z = 0; z < NZ; ++z) x[z] = _mm512_loadu_ps(b + j * ldb + 16 * z);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 e = _mm512_set1_ps(a[r * ars + j * acs]);
#pragma GCC unroll 4
      for (int z = 0; z < NZ; ++z) acc[r][z] = _mm512_fmadd_ps(e, x[z], acc[r][z]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int z = 0; z < NZ; ++z) _mm512_storeu_ps(out + r * ldo + 16 * z, _mm512_add_ps(_mm512_loadu_ps(out + r * ldo + 16 * z), acc[r][z]));
}

using StripFn = void (*)(const float*, int64_t, int64_t, const float*, int64_t, int64_t, int64_t, float*, int64_t);
template <int R>
StripFn stripFor(int nz) {
  switch (nz) {
    case 1: return thinStrip<R, 1>;
    case 2: return thinStrip<R, 2>;
    case 3: return thinStrip<R, 3>;
    default: return thinStrip<R, 4>;
  }
}
StripFn stripFor(int rows, int nz) {
  switch (rows) {
    case 1: return stripFor<1>(nz);
    case 2: return stripFor<2>(nz);
    case 3: return stripFor<3>(nz);
    case 4: return stripFor<4>(nz);
    case 5: return stripFor<5>(nz);
    default: return stripFor<6>(nz);
  }
}

// The same strip on AVX2: R x NZ accumulators of 8 lanes (12 of the 16 ymm
// at 6 x 2, plus NZ loads of b and one broadcast), a panel of 16 columns.
template <int R, int NZ>
__attribute__((target("avx2,fma"))) void thinStripAvx2(const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, int64_t j0,
                                                        int64_t j1, float* out, int64_t ldo) {
  __m256 acc[R][NZ];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int z = 0; z < NZ; ++z) acc[r][z] = _mm256_setzero_ps();
  for (int64_t j = j0; j < j1; ++j) {
    __m256 x[NZ];
#pragma GCC unroll 2
    for (int z = 0; z < NZ; ++z) x[z] = _mm256_loadu_ps(b + j * ldb + 8 * z);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 e = _mm256_broadcast_ss(a + r * ars + j * acs);
#pragma GCC unroll 2
      for (int z = 0; z < NZ; ++z) acc[r][z] = _mm256_fmadd_ps(e, x[z], acc[r][z]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int z = 0; z < NZ; ++z) _mm256_storeu_ps(out + r * ldo + 8 * z, _mm256_add_ps(_mm256_loadu_ps(out + r * ldo + 8 * z), acc[r][z]));
}

StripFn stripAvx2For(int rows) {
  switch (rows) {
    case 1: return thinStripAvx2<1, 2>;
    case 2: return thinStripAvx2<2, 2>;
    case 3: return thinStripAvx2<3, 2>;
    case 4: return thinStripAvx2<4, 2>;
    case 5: return thinStripAvx2<5, 2>;
    default: return thinStripAvx2<6, 2>;
  }
}

// Tokens in chunks that keep b's chunk (256 x 64 floats) in L2 across strips;
// panels of `panel` columns, strips of 6 rows, stripFor(rows, panel columns).
template <typename StripChooser>
void thinProduct(int64_t m, int64_t w, int64_t n, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, float* out, int64_t ldo,
                 bool accumulate, int64_t panel, StripChooser stripFor) {
  constexpr int64_t kTokens = 256, kRows = 6;
  if (!accumulate)
    for (int64_t i = 0; i < m; ++i) std::fill(out + i * ldo, out + i * ldo + w, 0.0f);
  for (int64_t j0 = 0; j0 < n; j0 += kTokens) {
    const int64_t j1 = std::min(n, j0 + kTokens);
    for (int64_t c0 = 0; c0 < w; c0 += panel) {
      const int cols = static_cast<int>(std::min(panel, w - c0));
      for (int64_t i0 = 0; i0 < m; i0 += kRows) {
        const int rows = static_cast<int>(std::min(kRows, m - i0));
        stripFor(rows, cols)(a + i0 * ars, ars, acs, b + c0, ldb, j0, j1, out + i0 * ldo + c0, ldo);
      }
    }
  }
}

}  // namespace

bool narrowProductAvailable(int64_t w) {
  const CpuIsa isa = cpuIsa();
  return (isa == CpuIsa::Avx512 || isa == CpuIsa::Avx2) && w > 0 && w % 16 == 0;
}

bool narrowProduct(int64_t m, int64_t w, int64_t n, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, float* out, int64_t ldo,
                   bool accumulate) {
  if (!narrowProductAvailable(w)) return false;
  if (cpuIsa() == CpuIsa::Avx512)
    thinProduct(m, w, n, a, ars, acs, b, ldb, out, ldo, accumulate, 64, [](int rows, int cols) { return stripFor(rows, cols / 16); });
  else
    thinProduct(m, w, n, a, ars, acs, b, ldb, out, ldo, accumulate, 16, [](int rows, int) { return stripAvx2For(rows); });
  return true;
}

void expShiftedFloor(float* x, int64_t count, float shift, float floor) {
  switch (cpuIsa()) {
    case CpuIsa::Avx512: return expAvx512(x, count, shift, floor);
    case CpuIsa::Avx2: return expAvx2(x, count, shift, floor);
    default: return expGeneric(x, count, shift, floor);
  }
}

}  // namespace attnscope
