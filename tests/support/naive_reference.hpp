// A deliberately plain reference, used only by tests: it materialises the
// whole n x n matrix in double precision and applies the mask by hand.
#pragma once

#include <cmath>
#include <functional>
#include <limits>

#include "common/types.hpp"

namespace attnscope::testing {

using MaskFn = std::function<bool(int64_t i, int64_t j)>;
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A = softmax(scale * Q K^T) restricted to mask(i, j); rows with no allowed key are zero.
inline MatD naiveAttentionMatrix(const Mat& q, const Mat& k, const MaskFn& mask, double scale = -1) {
  if (scale < 0) scale = 1.0 / std::sqrt(static_cast<double>(q.cols()));
  const int64_t n = q.rows(), m = k.rows();
  MatD a = MatD::Zero(n, m);
  for (int64_t i = 0; i < n; ++i) {
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < m; ++j)
      if (!mask || mask(i, j)) {
        double s = 0;
        for (int64_t c = 0; c < q.cols(); ++c) s += static_cast<double>(q(i, c)) * static_cast<double>(k(j, c));
        a(i, j) = s * scale;
        mx = std::max(mx, a(i, j));
      }
    double sum = 0;
    for (int64_t j = 0; j < m; ++j) {
      if (!mask || mask(i, j)) {
        a(i, j) = std::exp(a(i, j) - mx);
        sum += a(i, j);
      } else {
        a(i, j) = 0;
      }
    }
    if (sum > 0) a.row(i) /= sum;
  }
  return a;
}

inline Mat naiveAttention(const Mat& q, const Mat& k, const Mat& v, const MaskFn& mask, double scale = -1) {
  return (naiveAttentionMatrix(q, k, mask, scale) * v.cast<double>()).cast<float>();
}

inline MaskFn causalMask() {
  return [](int64_t i, int64_t j) { return j <= i; };
}

// Deterministic random matrix with entries ~ N(0, sigma^2).
Mat randomMatrix(int64_t rows, int64_t cols, uint64_t seed, double sigma = 1.0);

// max |a - b| / max |b| (0 when b is zero and a equals it).
double relativeMaxError(const Mat& a, const Mat& b);

// Singular values of a, largest first (Eigen's BDCSVD, compiled once here:
// instantiated in each suite it cost about a minute of build per suite).
Eigen::VectorXd singularValues(const MatD& a);

}  // namespace attnscope::testing

namespace attnscope::testing {

// The naive same-precision reference that low-precision kernels are held to:
// Q, K, V rounded by round(), then every product, sum, exponential and
// quotient rounded too, in plain sequential loops (deliberately the worst
// reasonable way to compute in that precision; a kernel that accumulates in
// fp32 should do better). mask(i, j) as above; rows with no key are zero.
// Scores are scaled by scale (0: 1 / sqrt(d)).
Mat naiveLowPrecisionAttention(const Mat& q, const Mat& k, const Mat& v, const MaskFn& mask, float (*round)(float), float scale = 0.0f);

}  // namespace attnscope::testing
