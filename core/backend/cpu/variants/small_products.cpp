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

}  // namespace

float sum(const float* x, int64_t count) {
  if (count <= 0) return 0.0f;
  if (cpuIsa() == CpuIsa::Avx512) return sumAvx512(x, count);
  float s = 0;
  for (int64_t c = 0; c < count; ++c) s += x[c];
  return s;
}

void addInto(float* dst, const float* src, int64_t count) {
  if (cpuIsa() == CpuIsa::Avx512) return addAvx512(dst, src, count);
  for (int64_t c = 0; c < count; ++c) dst[c] += src[c];
}

void transposeScaled(ConstMatRef m, float scale, float* panel, int64_t ld, int64_t padTo) {
  const int64_t count = m.rows(), d = m.cols();
  if (cpuIsa() == CpuIsa::Avx512) transposeAvx512(m.data(), m.outerStride(), count, d, scale, panel, ld);
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
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t c = 0; c < count; ++c) mx = std::max(mx, row[c]);
  expShiftedFloor(row, count, mx, 80.0f);
  float sum = 0;
  for (int64_t c = 0; c < count; ++c) sum += row[c];
  return 1.0f / sum;
}

void softmaxRows(float* p, int64_t rows, int64_t cols, int64_t ld) {
  const bool avx512 = cpuIsa() == CpuIsa::Avx512;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = p + r * ld;
    const float inv = expRow(row, cols);
    if (avx512) {
      scaleRowAvx512(row, cols, inv);
      continue;
    }
    for (int64_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}

}  // namespace attnscope::small
