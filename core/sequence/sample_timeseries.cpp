// An hourly sensor log: a daily cycle with a weekday/weekend rhythm, AR(1)
// noise, and a sharp shock that echoes about three months later (scaled to
// the series when it is shorter), with the same decaying, ringing shape, so
// the echo's steps attend to the shock's.
#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "common/rng.hpp"
#include "sequence/samples.hpp"
#include "sequence/timeseries_features.hpp"

namespace attnscope {

Sequence makeTimeSeriesSample(int64_t n, uint64_t seed) {
  if (n < 1) throw Error(ErrorKind::InvalidArgument, "sample length must be at least 1");
  Rng rng(seed ^ 0x7153ull);
  constexpr double kTwoPi = 6.283185307179586;
  const double phase = rng.uniform() * kTwoPi;
  const int64_t shockLength = std::clamp<int64_t>(n / 10, 2, 240);
  const int64_t shockAt = std::max<int64_t>(0, n / 8 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(std::max<int64_t>(1, n / 40)))));
  const int64_t echoGap = std::min<int64_t>(24 * 91, n * 6 / 10);
  const int64_t echoAt = shockAt + std::max<int64_t>(echoGap, shockLength);
  auto shock = [&](int64_t tau) {
    if (tau < 0 || tau >= shockLength) return 0.0;
    const double t = static_cast<double>(tau);
    return 6.0 * std::exp(-t / (static_cast<double>(shockLength) / 5.0)) * (1.0 + 0.5 * std::sin(kTwoPi * t / 11.0));
  };

  std::vector<double> values(static_cast<size_t>(n));
  double noise = 0;
  for (int64_t t = 0; t < n; ++t) {
    const double hour = static_cast<double>(t % 24);
    const bool weekend = (t / 24) % 7 >= 5;
    const double daily = std::sin(kTwoPi * hour / 24.0 + phase) + 0.3 * std::sin(2.0 * kTwoPi * hour / 24.0);
    noise = 0.8 * noise + 0.15 * rng.normal();
    values[static_cast<size_t>(t)] = 10.0 + (weekend ? 0.6 : 1.0) * daily + noise + shock(t - shockAt) + 0.6 * shock(t - echoAt);
  }

  Sequence seq;
  seq.name = "timeseries";
  seq.kind = SequenceKind::TimeSeries;
  seq.embeddings = timeSeriesFeatures(values, 16, seed);
  seq.labels.reserve(static_cast<size_t>(n));
  for (int64_t t = 0; t < n; ++t) seq.labels.push_back("t=" + std::to_string(t));
  return seq;
}

}  // namespace attnscope
