// Shared checks for the sparse and hierarchical variant suites: run a variant
// on one head, compare it with the naive reference, and read its exact map.
#pragma once

#include <QtTest>

#include <string>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"
#include "exec_context.hpp"
#include "naive_reference.hpp"

namespace attnscope::testing {

// One head's inputs with scores of order 1..10, so the softmax is neither flat nor one-hot.
struct HeadData {
  Mat q, k, v;
  std::vector<std::string> labels;
  HeadData(int64_t n, int64_t d, uint64_t seed) : q(randomMatrix(n, d, seed, 1.5)), k(randomMatrix(n, d, seed + 1000, 1.5)), v(randomMatrix(n, d, seed + 2000)) {}
  HeadInput input(int head = 0) const { return HeadInput{q, k, v, labels.empty() ? nullptr : &labels, head}; }
};

inline AttentionSpec specWith(const std::string& id, const std::vector<std::string>& assignments, bool causal = false) {
  AttentionSpec spec = makeSpec(id);
  for (const auto& a : assignments) spec.params.assign(a);
  spec.causal = causal;
  return spec;
}

struct RunOutput {
  Mat out;
  HeadExtras extras;
};

inline RunOutput runHead(const AttentionSpec& spec, const HeadData& data, int head = 0) {
  MemoryMeter meter;
  RunOutput r{Mat(data.q.rows(), data.v.cols()), {}};
  r.extras = cpuKernel(spec).apply(testContext(&meter), spec, data.input(head), data.v, r.out);
  return r;
}

inline double scalar(const HeadExtras& extras, const std::string& name) {
  for (const auto& [key, value] : extras.scalars)
    if (key == name) return value;
  return -1;
}

// max |out - expected| <= 1e-5 * max |expected|.
inline bool closeToReference(const Mat& out, const Mat& expected, QString* why) {
  const double err = (out - expected).cwiseAbs().maxCoeff();
  const double scale = std::max(1e-30, static_cast<double>(expected.cwiseAbs().maxCoeff()));
  if (err <= 1e-5 * scale) return true;
  *why = QString("max abs error %1 > 1e-5 x max|O| = %2").arg(err).arg(1e-5 * scale);
  return false;
}

// The exact map (every cell one pair) of one head.
inline MapGrid exactMapOf(const AttentionSpec& spec, const HeadData& data, int head = 0) {
  const int64_t n = data.q.rows();
  MapRequest request;
  request.maxCells = std::max<int64_t>(request.maxCells, n);
  MapGrid grid = MapGrid::forRequest(request, n, n);
  MemoryMeter meter;
  cpuKernel(spec).map(testContext(&meter), spec, data.input(head), grid);
  return grid;
}

// The map equals `expected` to 1e-6 and every row sums to 1.
inline bool mapMatches(const MapGrid& grid, const MatD& expected, QString* why) {
  if (!grid.exact()) {
    *why = "map is not exact";
    return false;
  }
  const double err = (grid.sum.cast<double>() - expected).cwiseAbs().maxCoeff();
  const double rowErr = (grid.sum.cast<double>().rowwise().sum().array() - 1.0).abs().maxCoeff();
  if (err < 1e-6 && rowErr < 1e-5) return true;
  *why = QString("map error %1, row-sum error %2").arg(err).arg(rowErr);
  return false;
}

}  // namespace attnscope::testing
