#include "analysis/low_rank_products.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "backend/cpu/gemm.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {

// Fixed parts and chunks, whatever the pool's size, so results never depend
// on thread timing; a part's partial sums are added in part order.
constexpr int64_t kParts = 8;
constexpr int64_t kChunk = 64;  // the causal scan's block: its C x C triangle costs C r per row

int64_t blocksOf(int64_t n, int64_t b) { return (n + b - 1) / b; }

// c [m x n] (+)= op(a) op(b) through the ISA's GEMM (core's Eigen is built
// for baseline x86-64); inside a pool task it runs on the calling worker.
void product(bool transA, bool transB, ConstMatRef a, ConstMatRef b, MatRef c, bool accumulate) {
  const int64_t m = transA ? a.cols() : a.rows(), k = transA ? a.rows() : a.cols(), n = transB ? b.rows() : b.cols();
  sgemm(transA, transB, m, n, k, 1.0f, a.data(), a.outerStride(), b.data(), b.outerStride(), accumulate ? 1.0f : 0.0f, c.data(), c.outerStride());
}

void checkShapes(const LowRankFactors& f, ConstMatRef in, MatRef out, int64_t inRows, int64_t outRows, const char* what) {
  if (f.right.cols() != f.rank() || (!f.rowScale.empty() && static_cast<int64_t>(f.rowScale.size()) != f.n()) || (f.causal && f.keys() != f.n()))
    throw Error(ErrorKind::InvalidArgument, "low-rank factors: inconsistent shapes");
  if (in.rows() != inRows || out.rows() != outRows || out.cols() != in.cols())
    throw Error(ErrorKind::InvalidArgument, std::string(what) + ": operand is " + std::to_string(in.rows()) + " x " + std::to_string(in.cols()) +
                                                ", output " + std::to_string(out.rows()) + " x " + std::to_string(out.cols()) + "; A is " +
                                                std::to_string(f.n()) + " x " + std::to_string(f.keys()));
}

// Rows [first, second) of part `part` of `rows` split into kParts.
std::pair<int64_t, int64_t> partRows(int64_t rows, int64_t part) {
  const int64_t per = blocksOf(std::max<int64_t>(rows, 1), kParts), r0 = std::min(rows, part * per);
  return {r0, std::min(rows, r0 + per)};
}

// Each part's sum of a_i^T b_i over its rows.
std::vector<Mat> partSums(ConstMatRef a, ConstMatRef b, ThreadPool& pool, const CancelToken* cancel) {
  std::vector<Mat> parts(static_cast<size_t>(kParts));
  pool.parallelFor(0, kParts, [&](int64_t part, int) {
    checkCancelled(cancel);
    const auto [r0, r1] = partRows(a.rows(), part);
    Mat& m = parts[static_cast<size_t>(part)];
    m = Mat::Zero(a.cols(), b.cols());
    if (r1 > r0) product(true, false, a.middleRows(r0, r1 - r0), b.middleRows(r0, r1 - r0), m, false);
  });
  return parts;
}

// Parts [from, to) added in part order.
Mat sumOf(const std::vector<Mat>& parts, int64_t from, int64_t to, int64_t rows, int64_t cols) {
  Mat acc = Mat::Zero(rows, cols);
  for (int64_t q = from; q < to; ++q) acc += parts[static_cast<size_t>(q)];
  return acc;
}

Mat scaledRows(const LowRankFactors& f, ConstMatRef y) {
  Mat ys = y;
  if (!f.rowScale.empty())
    for (int64_t i = 0; i < ys.rows(); ++i) ys.row(i) *= f.rowScale[static_cast<size_t>(i)];
  return ys;
}

}  // namespace

void lowRankApply(const LowRankFactors& f, ConstMatRef x, MatRef out, ThreadPool& pool, const CancelToken* cancel) {
  checkShapes(f, x, out, f.keys(), f.n(), "A x");
  const int64_t n = f.n(), c = x.cols();
  if (c == 0) return;
  if (!f.causal) {
    const Mat t = sumOf(partSums(f.right, x, pool, cancel), 0, kParts, f.rank(), c);  // R^T x
    pool.parallelFor(0, blocksOf(n, 256), [&](int64_t b, int) {
      const int64_t i0 = b * 256, rows = std::min<int64_t>(256, n - i0);
      product(false, false, f.left.middleRows(i0, rows), t, out.middleRows(i0, rows), false);
      for (int64_t i = i0; i < i0 + rows; ++i) out.row(i) *= f.scale(i);
    });
    return;
  }
  // Causal: each part starts from the sum of R_j^T x_j over the parts before
  // it, then walks its chunks: out_c = s (L_c S + tril(L_c R_c^T) x_c).
  const std::vector<Mat> parts = partSums(f.right, x, pool, cancel);
  pool.parallelFor(0, kParts, [&](int64_t part, int) {
    const auto [p0, p1] = partRows(n, part);
    Mat state = sumOf(parts, 0, part, f.rank(), c);
    Mat local;
    for (int64_t i0 = p0; i0 < p1; i0 += kChunk) {
      checkCancelled(cancel);
      const int64_t rows = std::min(kChunk, p1 - i0);
      local.resize(rows, rows);
      product(false, true, f.left.middleRows(i0, rows), f.right.middleRows(i0, rows), local, false);
      for (int64_t r = 0; r + 1 < rows; ++r) local.row(r).tail(rows - r - 1).setZero();
      auto o = out.middleRows(i0, rows);
      product(false, false, f.left.middleRows(i0, rows), state, o, false);
      product(false, false, local, x.middleRows(i0, rows), o, true);
      for (int64_t r = 0; r < rows; ++r) o.row(r) *= f.scale(i0 + r);
      product(true, false, f.right.middleRows(i0, rows), x.middleRows(i0, rows), state, true);
    }
  });
}

void lowRankApplyTransposed(const LowRankFactors& f, ConstMatRef y, MatRef out, ThreadPool& pool, const CancelToken* cancel) {
  checkShapes(f, y, out, f.n(), f.keys(), "A^T y");
  const int64_t n = f.n(), keys = f.keys(), c = y.cols();
  if (c == 0) return;
  const Mat ys = scaledRows(f, y);
  if (!f.causal) {
    const Mat g = sumOf(partSums(f.left, ys, pool, cancel), 0, kParts, f.rank(), c);  // L^T diag(s) y
    pool.parallelFor(0, blocksOf(keys, 256), [&](int64_t b, int) {
      const int64_t j0 = b * 256, rows = std::min<int64_t>(256, keys - j0);
      product(false, false, f.right.middleRows(j0, rows), g, out.middleRows(j0, rows), false);
    });
    return;
  }
  // Causal: (A^T y)_j = R_j . sum_{i >= j} L_i^T s_i y_i, a suffix scan; each
  // part starts from the parts after it and walks its chunks backwards.
  const std::vector<Mat> parts = partSums(f.left, ys, pool, cancel);
  pool.parallelFor(0, kParts, [&](int64_t part, int) {
    const auto [p0, p1] = partRows(n, part);
    Mat state = sumOf(parts, part + 1, kParts, f.rank(), c);
    Mat local;
    if (p1 <= p0) return;
    for (int64_t j0 = p0 + (p1 - p0 - 1) / kChunk * kChunk; j0 >= p0; j0 -= kChunk) {
      checkCancelled(cancel);
      const int64_t rows = std::min(kChunk, p1 - j0);
      // (key j, query i) allowed when i >= j: the upper triangle with the diagonal.
      local.resize(rows, rows);
      product(false, true, f.right.middleRows(j0, rows), f.left.middleRows(j0, rows), local, false);
      for (int64_t r = 1; r < rows; ++r) local.row(r).head(r).setZero();
      auto o = out.middleRows(j0, rows);
      product(false, false, f.right.middleRows(j0, rows), state, o, false);
      product(false, false, local, ys.middleRows(j0, rows), o, true);
      product(true, false, f.left.middleRows(j0, rows), ys.middleRows(j0, rows), state, true);
    }
  });
}

}  // namespace attnscope
