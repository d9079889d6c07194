#include "sequence/timeseries_features.hpp"

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "common/rng.hpp"

namespace attnscope {

namespace {

// Mean and standard deviation over the finite entries (std 1 when flat).
std::pair<double, double> finiteStats(const std::vector<double>& x) {
  double sum = 0, sumSq = 0;
  size_t count = 0;
  for (double v : x)
    if (std::isfinite(v)) {
      sum += v;
      ++count;
    }
  const double mean = count ? sum / static_cast<double>(count) : 0.0;
  for (double v : x)
    if (std::isfinite(v)) sumSq += (v - mean) * (v - mean);
  const double sd = count > 1 ? std::sqrt(sumSq / static_cast<double>(count - 1)) : 0.0;
  return {mean, sd > 1e-300 && std::isfinite(sd) ? sd : 1.0};
}

}  // namespace

Mat timeSeriesFeatures(const std::vector<double>& values, int width, uint64_t seed) {
  if (width < 2 || width > 1024) throw Error(ErrorKind::InvalidArgument, "time-series feature width must be in [2, 1024], got " + std::to_string(width));
  const size_t n = values.size();
  // Work in units of the largest magnitude, so values near 1e308 neither
  // overflow the statistics nor the differences (standardizing undoes it).
  double scale = 0;
  for (double v : values)
    if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  if (scale == 0) scale = 1;
  std::vector<double> x(n), diff(n, 0.0);
  for (size_t i = 0; i < n; ++i) x[i] = values[i] / scale;
  for (size_t i = 1; i < n; ++i) diff[i] = x[i] - x[i - 1];
  const auto [vm, vs] = finiteStats(x);
  const auto [dm, ds] = finiteStats(diff);

  // Random Fourier features of (value, difference): equal local shapes get
  // equal features wherever they occur, which is what makes echoes visible.
  Rng rng(seed ^ 0x7135e11e5ull);
  std::vector<double> a(width), b(width), phase(width);
  for (int c = 2; c < width; ++c) {
    a[c] = rng.normal() * 1.5;
    b[c] = rng.normal() * 1.5;
    phase[c] = rng.uniform() * 6.283185307179586;
  }
  Mat out(static_cast<Eigen::Index>(n), width);
  for (size_t i = 0; i < n; ++i) {
    const double v = (x[i] - vm) / vs;
    const double d = std::isfinite(diff[i]) ? (diff[i] - dm) / ds : diff[i];
    const auto row = static_cast<Eigen::Index>(i);
    out(row, 0) = static_cast<float>(v);
    out(row, 1) = static_cast<float>(d);
    for (int c = 2; c < width; ++c) out(row, c) = static_cast<float>(std::cos(a[c] * v + b[c] * d + phase[c]));
  }
  return out;
}

}  // namespace attnscope
