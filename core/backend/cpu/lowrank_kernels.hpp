// Two kernels of the low-rank variants, on the CPU kernels' vector ISA
// (cpu_isa.hpp, so ATTNSCOPE_CPU_ISA forces them too): the exponentials of
// linformer's softmax and performer's features (with an SSE2 build, Eigen's
// exp took a third of performer's time), and the narrow products of
// linformer (E K and F V: 64 columns, n-long sums; its score and output
// blocks: 64 columns, 64-long sums), the shapes sgemm's packing serves worst.
#pragma once

#include <cstdint>

namespace attnscope {

// x[i] = max(exp(max(x[i] - shift, -floor)) - exp(-floor), 0) for i < count:
// exp(x - shift), with weights below e^-floor of the reference flushed to 0
// (never subnormal). Requires 0 < floor <= 87. Relative error a few ulp.
void expShiftedFloor(float* x, int64_t count, float shift, float floor);

// out[m x w] = a b (accumulate: out += a b) for a [m x n] with element (r, j)
// at a[r * ars + j * acs] (a row-major matrix, or with ars = 1 a transposed
// one), b [n x w] and out row-major with row strides ldb and ldo; for narrow
// outputs (w up to a few hundred), any m and n. Returns false, touching
// nothing, when this ISA path has no kernel for the shape (w not a multiple
// of 16, or neither AVX-512 nor AVX2 + FMA): the caller uses sgemm.
// Whether narrowProduct runs for outputs w wide on the path in use.
bool narrowProductAvailable(int64_t w);
bool narrowProduct(int64_t m, int64_t w, int64_t n, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, float* out, int64_t ldo,
                   bool accumulate = false);

}  // namespace attnscope
