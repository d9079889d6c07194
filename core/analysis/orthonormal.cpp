#include "analysis/orthonormal.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

#include "backend/cpu/gemm.hpp"
#include "backend/cpu/gram.hpp"
#include "backend/cpu/thread_pool.hpp"

namespace attnscope {

namespace {

using MatD = Eigen::MatrixXd;
constexpr int64_t kGramRows = 4096;  // rows of Y per task

// Y^T Y in double, one block of rows per task, summed in task order (so the
// result does not depend on which worker ran which block).
MatD gramDouble(const Mat& y, ThreadPool& pool) {
  const int64_t n = y.rows(), l = y.cols(), blocks = (n + kGramRows - 1) / kGramRows;
  std::vector<MatD> partial(static_cast<size_t>(blocks));
  pool.parallelFor(0, blocks, [&](int64_t b, int) {
    const int64_t r0 = b * kGramRows, rows = std::min(kGramRows, n - r0);
    // gramAccumulate writes row-major, but the result is symmetric: MatD's
    // column-major storage holds the same numbers.
    MatD& block = partial[static_cast<size_t>(b)];
    block = MatD::Zero(l, l);
    gramAccumulate(y.data() + r0 * y.outerStride(), y.outerStride(), rows, l, block.data(), l);
  });
  MatD g = MatD::Zero(l, l);
  for (const MatD& p : partial) g += p;
  return g;
}

// Upper-triangular R with R^T R = g, or nothing when g is not numerically positive definite.
std::optional<MatD> choleskyFactor(const MatD& g) {
  const Eigen::LLT<MatD> llt(g);
  if (llt.info() != Eigen::Success) return std::nullopt;
  MatD r = llt.matrixU();
  const Eigen::VectorXd d = r.diagonal().cwiseAbs();
  if (d.minCoeff() <= 0 || d.maxCoeff() / d.minCoeff() > 1e6) return std::nullopt;
  return r;
}

// q = y r^-1 through the float GEMM.
Mat solveRight(const Mat& y, const MatD& r, ThreadPool& pool) {
  const int64_t l = r.rows();
  const MatD inv = r.triangularView<Eigen::Upper>().solve(MatD::Identity(l, l));
  const Mat invF = inv.cast<float>();  // Mat is row-major: what sgemm reads
  Mat q(y.rows(), l);
  sgemm(y, invF, q, false, false, 1.0f, 0.0f, &pool);
  return q;
}

Mat householder(const Mat& y, MatD* r) {
  const MatD yd = y.cast<double>();
  const Eigen::HouseholderQR<MatD> qr(yd);
  if (r) *r = qr.matrixQR().topRows(y.cols()).triangularView<Eigen::Upper>();
  const MatD q = qr.householderQ() * MatD::Identity(y.rows(), y.cols());
  return q.cast<float>();
}

}  // namespace

namespace {

// CholeskyQR2; q (when not null) receives Q, and R is returned.
MatD choleskyQr2(const Mat& y, ThreadPool& pool, Mat* q) {
  MatD r;
  if (y.cols() == 0 || y.rows() < y.cols()) {
    const Mat hq = householder(y, &r);
    if (q) *q = hq;
    return r;
  }
  const std::optional<MatD> r1 = choleskyFactor(gramDouble(y, pool));
  std::optional<MatD> r2;
  Mat q1;
  if (r1) {
    q1 = solveRight(y, *r1, pool);
    r2 = choleskyFactor(gramDouble(q1, pool));
  }
  if (!r2) {
    const Mat hq = householder(y, &r);
    if (q) *q = hq;
    return r;
  }
  if (q) *q = solveRight(q1, *r2, pool);
  return (*r2) * (*r1);
}

}  // namespace

Mat orthonormalColumns(const Mat& y, ThreadPool& pool) {
  Mat q;
  choleskyQr2(y, pool, &q);
  return q;
}

MatD triangularFactor(const Mat& y, ThreadPool& pool) { return choleskyQr2(y, pool, nullptr); }

}  // namespace attnscope
