#include "backend/cpu/variants/small_products.hpp"

// GCC 12 flags the placeholder operand inside avx512fintrin.h's masked and
// reducing intrinsics (_mm512_undefined_ps) as uninitialised: a false alarm.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <limits>

#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/lowrank_kernels.hpp"

namespace attnscope::small {

namespace {

// Portable transposition: eight source rows at a time, so each pass writes
// eight neighbouring floats of every panel row.
void transposeGeneric(const float* src, int64_t lds, int64_t count, int64_t d, float scale, float* panel, int64_t ld, int64_t j0) {
  constexpr int64_t kGroup = 8;
  for (; j0 + kGroup <= count; j0 += kGroup)
    for (int64_t c = 0; c < d; ++c) {
      float* dst = panel + c * ld + j0;
      for (int64_t g = 0; g < kGroup; ++g) dst[g] = scale * src[(j0 + g) * lds + c];
    }
  for (; j0 < count; ++j0)
    for (int64_t c = 0; c < d; ++c) panel[c * ld + j0] = scale * src[j0 * lds + c];
}

// 16 x 16 tiles in registers (unpack, shuffle, two 128-bit lane shuffles):
// the scalar loop above took a tenth of transformer_xl's time at n = 512.
__attribute__((target("avx512f"))) void transposeAvx512(const float* src, int64_t lds, int64_t count, int64_t d, float scale, float* panel,
                                                        int64_t ld) {
  const __m512 s = _mm512_set1_ps(scale);
  int64_t j0 = 0;
  for (; j0 + 16 <= count; j0 += 16) {
    int64_t c0 = 0;
    for (; c0 + 16 <= d; c0 += 16) {
      __m512 r[16], t[16];
      for (int i = 0; i < 16; ++i) r[i] = _mm512_mul_ps(s, _mm512_loadu_ps(src + (j0 + i) * lds + c0));
      for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; ++i) {
          t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
          t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xdd);
        }
      for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
      }
      for (int i = 0; i < 16; ++i) _mm512_storeu_ps(panel + (c0 + i) * ld + j0, r[i]);
    }
    for (; c0 < d; ++c0)
      for (int64_t g = 0; g < 16; ++g) panel[c0 * ld + j0 + g] = scale * src[(j0 + g) * lds + c0];
  }
  transposeGeneric(src, lds, count, d, scale, panel, ld, j0);
}

__attribute__((target("avx512f"))) float expRowAvx512(float* row, int64_t count) {
  __m512 mx = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  int64_t c = 0;
  for (; c + 16 <= count; c += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(row + c));
  const __mmask16 tail = static_cast<__mmask16>((1u << (count - c)) - 1u);
  mx = _mm512_mask_max_ps(mx, tail, mx, _mm512_maskz_loadu_ps(tail, row + c));
  expShiftedFloor(row, count, _mm512_reduce_max_ps(mx), 80.0f);
  __m512 sum = _mm512_setzero_ps();
  for (c = 0; c + 16 <= count; c += 16) sum = _mm512_add_ps(sum, _mm512_loadu_ps(row + c));
  sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tail, row + c));
  return 1.0f / _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx512f"))) void scaleRowAvx512(float* row, int64_t count, float factor) {
  const __m512 f = _mm512_set1_ps(factor);
  int64_t c = 0;
  for (; c + 16 <= count; c += 16) _mm512_storeu_ps(row + c, _mm512_mul_ps(f, _mm512_loadu_ps(row + c)));
  const __mmask16 tail = static_cast<__mmask16>((1u << (count - c)) - 1u);
  _mm512_mask_storeu_ps(row + c, tail, _mm512_mul_ps(f, _mm512_maskz_loadu_ps(tail, row + c)));
}

__attribute__((target("avx512f"))) void addAvx512(float* dst, const float* src, int64_t count) {
  int64_t c = 0;
  for (; c + 16 <= count; c += 16) _mm512_storeu_ps(dst + c, _mm512_add_ps(_mm512_loadu_ps(dst + c), _mm512_loadu_ps(src + c)));
  const __mmask16 tail = static_cast<__mmask16>((1u << (count - c)) - 1u);
  _mm512_mask_storeu_ps(dst + c, tail, _mm512_add_ps(_mm512_maskz_loadu_ps(tail, dst + c), _mm512_maskz_loadu_ps(tail, src + c)));
}

__attribute__((target("avx512f"))) float sumAvx512(const float* x, int64_t count) {
  __m512 acc = _mm512_setzero_ps();
  int64_t c = 0;
  for (; c + 16 <= count; c += 16) acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + c));
  const __mmask16 tail = static_cast<__mmask16>((1u << (count - c)) - 1u);
  return _mm512_reduce_add_ps(_mm512_add_ps(acc, _mm512_maskz_loadu_ps(tail, x + c)));
}

// The same helpers on AVX2: 8 x 8 tiles, 8-lane rows with masked tails.
__attribute__((target("avx2,fma"))) void transposeAvx2(const float* src, int64_t lds, int64_t count, int64_t d, float scale, float* panel,
                                                       int64_t ld) {
  const __m256 s = _mm256_set1_ps(scale);
  int64_t j0 = 0;
  for (; j0 + 8 <= count; j0 += 8) {
    int64_t c0 = 0;
    for (; c0 + 8 <= d; c0 += 8) {
      __m256 r[8], t[8];
      for (int i = 0; i < 8; ++i) r[i] = _mm256_mul_ps(s, _mm256_loadu_ps(src + (j0 + i) * lds + c0));
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      for (int i = 0; i < 4; ++i) {
        _mm256_storeu_ps(panel + (c0 + i) * ld + j0, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(panel + (c0 + i + 4) * ld + j0, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
      }
    }
    for (; c0 < d; ++c0)
      for (int64_t g = 0; g < 8; ++g) panel[c0 * ld + j0 + g] = scale * src[(j0 + g) * lds + c0];
  }
  transposeGeneric(src, lds, count, d, scale, panel, ld, j0);
}

__attribute__((target("avx2,fma"))) inline __m256i tailMaskAvx2(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
__attribute__((target("avx2,fma"))) inline float hsumAvx2(__m256 x) {
  __m128 v = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
  v = _mm_add_ps(v, _mm_movehl_ps(v, v));
  return _mm_cvtss_f32(_mm_add_ss(v, _mm_shuffle_ps(v, v, 1)));
}

__attribute__((target("avx2,fma"))) float sumAvx2(const float* x, int64_t count) {
  __m256 acc = _mm256_setzero_ps();
  int64_t c = 0;
  for (; c + 8 <= count; c += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + c));
  return hsumAvx2(_mm256_add_ps(acc, _mm256_maskload_ps(x + c, tailMaskAvx2(count - c))));
}

__attribute__((target("avx2,fma"))) float expRowAvx2(float* row, int64_t count) {
  __m256 mx = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  int64_t c = 0;
  for (; c + 8 <= count; c += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(row + c));
  float m = -std::numeric_limits<float>::infinity();
  for (; c < count; ++c) m = std::max(m, row[c]);
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  m = std::max(m, _mm_cvtss_f32(_mm_max_ss(h, _mm_shuffle_ps(h, h, 1))));
  expShiftedFloor(row, count, m, 80.0f);
  return 1.0f / sumAvx2(row, count);
}

__attribute__((target("avx2,fma"))) void scaleRowAvx2(float* row, int64_t count, float factor) {
  const __m256 f = _mm256_set1_ps(factor);
  int64_t c = 0;
  for (; c + 8 <= count; c += 8) _mm256_storeu_ps(row + c, _mm256_mul_ps(f, _mm256_loadu_ps(row + c)));
  for (; c < count; ++c) row[c] *= factor;
}

__attribute__((target("avx2,fma"))) void addAvx2(float* dst, const float* src, int64_t count) {
  int64_t c = 0;
  for (; c + 8 <= count; c += 8) _mm256_storeu_ps(dst + c, _mm256_add_ps(_mm256_loadu_ps(dst + c), _mm256_loadu_ps(src + c)));
  for (; c < count; ++c) dst[c] += src[c];
}

}  // namespace

float sum(const float* x, int64_t count) {
  if (count <= 0) return 0.0f;
  if (cpuIsa() == CpuIsa::Avx512) return sumAvx512(x, count);
  if (cpuIsa() == CpuIsa::Avx2) return sumAvx2(x, count);
  float s = 0;
  for (int64_t c = 0; c < count; ++c) s += x[c];
  return s;
}

void addInto(float* dst, const float* src, int64_t count) {
  if (cpuIsa() == CpuIsa::Avx512) return addAvx512(dst, src, count);
  if (cpuIsa() == CpuIsa::Avx2) return addAvx2(dst, src, count);
  for (int64_t c = 0; c < count; ++c) dst[c] += src[c];
}

void transposeScaled(ConstMatRef m, float scale, float* panel, int64_t ld, int64_t padTo) {
  const int64_t count = m.rows(), d = m.cols();
  if (cpuIsa() == CpuIsa::Avx512) transposeAvx512(m.data(), m.outerStride(), count, d, scale, panel, ld);
  else if (cpuIsa() == CpuIsa::Avx2) transposeAvx2(m.data(), m.outerStride(), count, d, scale, panel, ld);
  else transposeGeneric(m.data(), m.outerStride(), count, d, scale, panel, ld, 0);
  if (padTo > count)
    for (int64_t c = 0; c < d; ++c) std::fill(panel + c * ld + count, panel + c * ld + padTo, 0.0f);
}

void product(int64_t rows, int64_t w, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, float* out, int64_t ldo,
             bool accumulate) {
  if (rows <= 0 || w <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t r = 0; r < rows; ++r) std::fill(out + r * ldo, out + r * ldo + w, 0.0f);
    return;
  }
  if (w <= kNarrowMaxWidth && narrowProduct(rows, w, k, a, ars, acs, b, ldb, out, ldo, accumulate)) return;
  // sgemm reads a as row-major or transposed; the callers' a is one or the other.
  const bool transA = ars == 1 && acs != 1;
  sgemm(transA, false, rows, w, k, 1.0f, a, transA ? acs : ars, b, ldb, accumulate ? 1.0f : 0.0f, out, ldo);
}

float expRow(float* row, int64_t count) {
  if (cpuIsa() == CpuIsa::Avx512) return expRowAvx512(row, count);
  if (cpuIsa() == CpuIsa::Avx2) return expRowAvx2(row, count);
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t c = 0; c < count; ++c) mx = std::max(mx, row[c]);
  expShiftedFloor(row, count, mx, 80.0f);
  float sum = 0;
  for (int64_t c = 0; c < count; ++c) sum += row[c];
  return 1.0f / sum;
}

void softmaxRows(float* p, int64_t rows, int64_t cols, int64_t ld) {
  const CpuIsa isa = cpuIsa();
  for (int64_t r = 0; r < rows; ++r) {
    float* row = p + r * ld;
    const float inv = expRow(row, cols);
    if (isa == CpuIsa::Avx512) {
      scaleRowAvx512(row, cols, inv);
      continue;
    }
    if (isa == CpuIsa::Avx2) {
      scaleRowAvx2(row, cols, inv);
      continue;
    }
    for (int64_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}

}  // namespace attnscope::small
