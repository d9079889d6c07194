// Y^T Y in double precision for a float Y, on the CPU kernels' ISA: the
// orthonormalisation of the randomized spectrum needs the Gram matrix in
// double (CholeskyQR squares Y's condition number), and Eigen's double
// product, built for the baseline x86-64 here, took a fifth of a
// 65536-token spectrum.
#pragma once

#include <cstdint>

namespace attnscope {

// g[l x l] (row-major, row stride ldg) += y^T y for y [rows x l] with row
// stride ldy. Every entry of g is written, both triangles. Sums in double;
// the result depends only on the inputs, not on the ISA path's order of
// additions beyond double rounding.
void gramAccumulate(const float* y, int64_t ldy, int64_t rows, int64_t l, double* g, int64_t ldg);

}  // namespace attnscope
