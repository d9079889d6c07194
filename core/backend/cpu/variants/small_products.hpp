// Small products and softmax rows shared by the segment and block kernels
// (hierarchical, memory_slots, transformer_xl). Their products are a few
// dozen rows by a few hundred columns: sgemm's packing and per-call buffers
// cost more than the arithmetic there, and Eigen in this build is SSE2 only,
// so they run on narrowProduct (lowrank_kernels.hpp) where the ISA path has
// it, and on sgemm where it does not.
#pragma once

#include <cstdint>

#include "common/types.hpp"

namespace attnscope::small {

// Widest output product() runs on narrowProduct; beyond it sgemm's cache
// blocking wins over register strips that stream b once per six rows.
constexpr int64_t kNarrowMaxWidth = 1024;

// Columns rounded up to narrowProduct's width multiple.
inline int64_t padded(int64_t cols) { return (cols + 15) / 16 * 16; }

// panel [m.cols() x ld] row-major: column j < m.rows() is scale * m.row(j),
// columns [m.rows(), padTo) are zero. A transposed key block, so that scores
// become a plain narrow product q * panel.
void transposeScaled(ConstMatRef m, float scale, float* panel, int64_t ld, int64_t padTo);

// out[rows x w] = a b (accumulate: out += a b): a [rows x k] with element
// (r, j) at a[r * ars + j * acs] (ars = 1 reads a transposed block), b
// [k x w] with row stride ldb, out with row stride ldo. narrowProduct where
// available, else sgemm (serial inside a pool task).
void product(int64_t rows, int64_t w, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, float* out, int64_t ldo,
             bool accumulate = false);

// Each of `rows` rows (stride ld, `cols` used) becomes its softmax; entries at
// -inf become exactly 0, and so do weights below e^-80 of the row's largest
// (exp rounds most of them to 0 anyway). Every row needs one finite entry.
void softmaxRows(float* p, int64_t rows, int64_t cols, int64_t ld);

// 1 / sum of the first `count` of row, after the same exponentials as
// softmaxRows (row[c] <- exp(row[c] - max)), for kernels that scale later.
float expRow(float* row, int64_t count);

// The sum of x[0 .. count).
float sum(const float* x, int64_t count);

// dst[c] += src[c] for c < count.
void addInto(float* dst, const float* src, int64_t count);

}  // namespace attnscope::small
