// Sweeps: variants x lengths x parameter values, each point a measured run,
// with scaling exponents per series. No Qt: the CLI and the GUI's Scaling page
// drive the same engine through its progress and cancellation callbacks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiment/exponent_fit.hpp"
#include "experiment/run.hpp"

namespace attnscope {

// One parameter across the sweep: one value fixes it, several sweep it.
struct ParamAxis {
  std::string variant;  // empty: every selected variant whose schema has `name`
  std::string name;
  std::vector<std::string> values;
};

struct SweepSpec {
  // Input (sample and seed), features (heads, d), backend, warm-up, repeats,
  // causal flag and memory budget; n and the variant are set per point.
  RunSpec base;
  std::vector<std::string> variants;
  std::vector<int64_t> lengths;
  std::vector<ParamAxis> params;
  bool errorVsDense = true;
  int64_t errorMaxN = 16384;  // the dense reference is computed up to this length
  // Attention recall of head 0 at each point up to errorMaxN: a metrics pass
  // over rows of A and of dense A (a few dense passes of one head). Off by default.
  bool recall = false;
};

enum class PointStatus { Done, Skipped, Failed };
const char* pointStatusName(PointStatus s);

struct SweepPoint {
  std::string variant;
  std::vector<std::pair<std::string, std::string>> params;  // values taken from the axes
  int64_t n = 0;
  PointStatus status = PointStatus::Done;
  std::string message;  // why it was skipped or failed
  TimingStats time;
  MemoryReport memory;
  CostEstimate predicted;
  double gflops = 0, gbPerS = 0;
  std::optional<double> errorVsDense;  // relative Frobenius error of O against dense
  // Head 0: share of dense attention mass on the keys the variant weighs (when SweepSpec::recall).
  std::optional<double> recallMean, recallMin;
  // "variant" or "variant window=64": one line of the plot and the table.
  std::string seriesKey() const;
  std::string paramsText() const;  // "window=64;dilation=1" (empty when none)
};

struct SweepSeries {
  std::string key, variant;
  std::vector<std::pair<std::string, std::string>> params;
  ExponentFit time;    // median time against n
  ExponentFit memory;  // run bytes (Q, K, V, O and the workspace peak) against n
  std::optional<double> error;  // error against dense at the longest length that has one
  int64_t errorN = 0;
  int done = 0, skipped = 0, failed = 0;
};

struct SweepProgress {
  int done = 0, total = 0;
  double elapsedSeconds = 0;
  double remainingSeconds = -1;  // estimate from the cost model's FLOPs; < 0 when unknown
  std::string current;           // the point about to run ("" after the last)
};

struct SweepCallbacks {
  const CancelToken* cancel = nullptr;
  // Before each point and once at the end; may cancel the token.
  std::function<void(const SweepProgress&)> progress;
  std::function<void(const SweepPoint&)> pointDone;
};

struct SweepResult {
  SweepSpec spec;
  std::vector<SweepPoint> points;  // in the order they ran; finished points only
  std::vector<SweepSeries> series;
  int planned = 0;
  bool cancelled = false;
  double wallSeconds = 0;
};

// Checks variants, lengths and parameter axes against the registry before
// anything runs. Throws Error(InvalidArgument) naming what is wrong.
void validateSweep(const SweepSpec& spec);

// Runs every point (length by length, dense first so it serves as the error
// reference). Points the memory guard refuses are recorded as skipped and the
// sweep goes on; cancellation stops it and keeps the finished points.
SweepResult runSweep(const SweepSpec& spec, const SweepCallbacks& callbacks = {});

// Fits per series (also used after a cancelled sweep).
std::vector<SweepSeries> summarizeSweep(const std::vector<SweepPoint>& points);

// Relative Frobenius error ||O - R|| / ||R|| over all heads.
double relativeFrobeniusError(const std::vector<Mat>& output, const std::vector<Mat>& reference);

// "512:65536" (doubling), "512:65536:x4", "1000:5000:+1000" or "512,1024,4096".
std::vector<int64_t> parseLengths(const std::string& text);
// The same forms for parameter values; lists may hold any text ("gaussian,mean_pool").
std::vector<std::string> parseValues(const std::string& text);
// "[variant.]name=values".
ParamAxis parseParamAxis(const std::string& assignment);

}  // namespace attnscope
