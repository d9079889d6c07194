// Scaling exponents: least-squares slope of log y against log n.
#pragma once

#include <cmath>
#include <vector>

namespace attnscope {

struct ExponentFit {
  double exponent = std::nan("");   // slope of ln y over ln n
  double intercept = std::nan("");  // ln y at n = 1
  double r2 = std::nan("");         // coefficient of determination of the log-log fit
  int points = 0;
  bool valid() const { return points >= 2 && std::isfinite(exponent); }
};

// Fits y ~ c n^k over the pairs with n > 0 and y > 0. Fewer than two such
// pairs, or a single distinct n, give an invalid fit. R² is 1 when the log
// values lie exactly on the line (or are all equal).
ExponentFit fitExponent(const std::vector<double>& n, const std::vector<double>& y);

}  // namespace attnscope
