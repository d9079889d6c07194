#include "backend/cpu/gram.hpp"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "backend/cpu/cpu_isa.hpp"

namespace attnscope {

namespace {

// Rows converted to double per pass: 512 x 84 doubles (336 KiB) stay in a
// core's L2 while every tile of g streams them.
constexpr int64_t kPassRows = 512;
constexpr int64_t kTileI = 4, kTileJ = 12;  // 4 x 12 doubles = 12 ymm accumulators

int64_t paddedWidth(int64_t l) { return (l + kTileJ - 1) / kTileJ * kTileJ; }

// The rows as double, columns padded with zeros to the tile width.
void toDouble(const float* y, int64_t ldy, int64_t rows, int64_t l, int64_t L, double* yd) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = y + r * ldy;
    double* dst = yd + r * L;
    for (int64_t c = 0; c < l; ++c) dst[c] = static_cast<double>(src[c]);
    std::fill(dst + l, dst + L, 0.0);
  }
}

// g tiles on or above the diagonal, AVX2 + FMA: acc[i][v] += yd[r][i0 + i] * yd[r][j0 + 4v ..].
__attribute__((target("avx2,fma"))) void tilesAvx2(const double* yd, int64_t rows, int64_t L, double* gp) {
  for (int64_t i0 = 0; i0 < L; i0 += kTileI)
    for (int64_t j0 = i0 / kTileJ * kTileJ; j0 < L; j0 += kTileJ) {
      // Fully unrolled, so that the accumulators live in registers (without
      // the pragmas GCC kept them on the stack: a load and a store per FMA).
      __m256d acc[kTileI][3];
#pragma GCC unroll 4
      for (int i = 0; i < kTileI; ++i)
#pragma GCC unroll 3
        for (int v = 0; v < 3; ++v) acc[i][v] = _mm256_setzero_pd();
      for (int64_t r = 0; r < rows; ++r) {
        const double* row = yd + r * L;
        const __m256d x0 = _mm256_loadu_pd(row + j0), x1 = _mm256_loadu_pd(row + j0 + 4), x2 = _mm256_loadu_pd(row + j0 + 8);
#pragma GCC unroll 4
        for (int i = 0; i < kTileI; ++i) {
          const __m256d e = _mm256_broadcast_sd(row + i0 + i);
          acc[i][0] = _mm256_fmadd_pd(e, x0, acc[i][0]);
          acc[i][1] = _mm256_fmadd_pd(e, x1, acc[i][1]);
          acc[i][2] = _mm256_fmadd_pd(e, x2, acc[i][2]);
        }
      }
#pragma GCC unroll 4
      for (int i = 0; i < kTileI; ++i)
#pragma GCC unroll 3
        for (int v = 0; v < 3; ++v) {
          double* out = gp + (i0 + i) * L + j0 + 4 * v;
          _mm256_storeu_pd(out, _mm256_add_pd(_mm256_loadu_pd(out), acc[i][v]));
        }
    }
}

void tilesGeneric(const double* yd, int64_t rows, int64_t L, double* gp) {
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = yd + r * L;
    for (int64_t i = 0; i < L; ++i) {
      const double e = row[i];
      double* out = gp + i * L;
      for (int64_t j = i / kTileJ * kTileJ; j < L; ++j) out[j] += e * row[j];
    }
  }
}

}  // namespace

void gramAccumulate(const float* y, int64_t ldy, int64_t rows, int64_t l, double* g, int64_t ldg) {
  if (rows <= 0 || l <= 0) return;
  const int64_t L = paddedWidth(l);
  std::vector<double> yd(static_cast<size_t>(std::min(rows, kPassRows) * L)), gp(static_cast<size_t>(L * L), 0.0);
  const bool avx2 = cpuIsa() != CpuIsa::Generic;
  for (int64_t r0 = 0; r0 < rows; r0 += kPassRows) {
    const int64_t pass = std::min(kPassRows, rows - r0);
    toDouble(y + r0 * ldy, ldy, pass, l, L, yd.data());
    if (avx2) tilesAvx2(yd.data(), pass, L, gp.data());
    else tilesGeneric(yd.data(), pass, L, gp.data());
  }
  // Entries with j >= i are complete; the lower triangle mirrors them.
  for (int64_t i = 0; i < l; ++i)
    for (int64_t j = 0; j < l; ++j) g[i * ldg + j] += j >= i ? gp[static_cast<size_t>(i * L + j)] : gp[static_cast<size_t>(j * L + i)];
}

}  // namespace attnscope
