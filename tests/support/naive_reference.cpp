#include "naive_reference.hpp"

#include <Eigen/SVD>

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
