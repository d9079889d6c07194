#include "naive_reference.hpp"

#include <Eigen/SVD>
#include <algorithm>
#include <vector>

#include "common/rng.hpp"

namespace attnscope::testing {

Mat randomMatrix(int64_t rows, int64_t cols, uint64_t seed, double sigma) {
  Rng rng(seed);
  Mat m(rows, cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) m(i, j) = static_cast<float>(rng.normal() * sigma);
  return m;
}

double relativeMaxError(const Mat& a, const Mat& b) {
  const double scale = b.cwiseAbs().maxCoeff();
  const double diff = (a - b).cwiseAbs().maxCoeff();
  if (scale == 0) return diff;
  return diff / scale;
}

Eigen::VectorXd singularValues(const MatD& a) { return Eigen::BDCSVD<Eigen::MatrixXd>(Eigen::MatrixXd(a)).singularValues(); }

}  // namespace attnscope::testing

namespace attnscope::testing {

Mat naiveLowPrecisionAttention(const Mat& q, const Mat& k, const Mat& v, const MaskFn& mask, float (*round)(float), float scoreScale) {
  const auto r = round;
  const int64_t n = q.rows(), m = k.rows(), d = q.cols(), dv = v.cols();
  const float scale = r(scoreScale > 0.0f ? scoreScale : 1.0f / std::sqrt(static_cast<float>(d)));
  Mat out = Mat::Zero(n, dv);
  std::vector<float> s(static_cast<size_t>(m));
  std::vector<float> acc(static_cast<size_t>(dv));
  for (int64_t i = 0; i < n; ++i) {
    float mx = -INFINITY;
    for (int64_t j = 0; j < m; ++j) {
      if (!mask(i, j)) continue;
      float dot = 0;
      for (int64_t c = 0; c < d; ++c) dot = r(dot + r(r(q(i, c)) * r(k(j, c))));
      s[static_cast<size_t>(j)] = r(dot * scale);
      mx = std::max(mx, s[static_cast<size_t>(j)]);
    }
    if (mx == -INFINITY) continue;
    float l = 0;
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int64_t j = 0; j < m; ++j) {
      if (!mask(i, j)) continue;
      const float p = r(std::exp(s[static_cast<size_t>(j)] - mx));
      l = r(l + p);
      for (int64_t c = 0; c < dv; ++c) acc[static_cast<size_t>(c)] = r(acc[static_cast<size_t>(c)] + r(p * r(v(j, c))));
    }
    for (int64_t c = 0; c < dv; ++c) out(i, c) = r(acc[static_cast<size_t>(c)] / l);
  }
  return out;
}

}  // namespace attnscope::testing
