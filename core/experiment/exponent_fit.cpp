#include "experiment/exponent_fit.hpp"

namespace attnscope {

ExponentFit fitExponent(const std::vector<double>& n, const std::vector<double>& y) {
  std::vector<double> lx, ly;
  for (size_t i = 0; i < n.size() && i < y.size(); ++i) {
    if (n[i] > 0 && y[i] > 0 && std::isfinite(n[i]) && std::isfinite(y[i])) {
      lx.push_back(std::log(n[i]));
      ly.push_back(std::log(y[i]));
    }
  }
  ExponentFit fit;
  fit.points = static_cast<int>(lx.size());
  if (fit.points < 2) return fit;
  const double m = static_cast<double>(lx.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    mx += lx[i];
    my += ly[i];
  }
  mx /= m;
  my /= m;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    sxx += (lx[i] - mx) * (lx[i] - mx);
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) * (ly[i] - my);
  }
  if (sxx <= 0) {
    fit.points = 1;  // one distinct n: no slope
    return fit;
  }
  fit.exponent = sxy / sxx;
  fit.intercept = my - fit.exponent * mx;
  double residual = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    const double e = ly[i] - (fit.intercept + fit.exponent * lx[i]);
    residual += e * e;
  }
  fit.r2 = syy > 0 ? 1.0 - residual / syy : 1.0;
  return fit;
}

}  // namespace attnscope
