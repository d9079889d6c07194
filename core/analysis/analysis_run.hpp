// One head, analysed (DESIGN §5): its effective map over a region at a
// resolution (exact or pooled) with the computed-pair mask, the fraction of
// pairs computed, the singular-value spectrum, metrics against dense on the
// same Q, K, V, and the memory trace. A, A X and A^T Y come from the
// requested backend's operator where it has one (the GPU for long
// sequences), else from the CPU variants, with a note saying why; host
// workspace is tracked, and nothing n x n is allocated unless the map asked
// for n x n cells or the exact spectrum's n allows it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "analysis/memory_trace.hpp"
#include "analysis/metrics.hpp"
#include "analysis/spectrum.hpp"
#include "sequence/sequence.hpp"

namespace attnscope {

// Regions up to this many tokens per side are mapped exactly by default; a
// larger one is pooled to kPooledMapCells per side.
constexpr int64_t kExactMapLimit = 4096;
constexpr int64_t kPooledMapCells = 1024;

struct AnalysisRequest {
  int head = 0;
  std::optional<MapRequest> map;  // map and computed-pair mask of the head
  bool spectrum = false;
  SpectrumOptions spectrumOptions;
  bool metrics = false;
  int64_t metricsStripeFloats = int64_t{1} << 20;  // rows of A held at once, per operator
  bool memory = true;                              // memory trace, when the variant keeps one
  std::string backend;                             // whose operator computes A ("" or "cpu": the CPU's)
};

// Query-key score evaluations of one head, against the n^2 of dense attention.
struct PairCount {
  double computed = 0;
  double total = 0;
  double fraction = 0;
  std::string source;  // "layout" (exact count of allowed pairs) or "cost_model"
};

struct AnalysisResult {
  std::string variant;
  int head = 0;
  int64_t n = 0;
  PairCount pairs;
  std::optional<MapGrid> map;
  std::optional<Spectrum> spectrum;
  std::optional<Metrics> metrics;
  std::optional<MemoryTrace> memory;
  std::vector<std::string> notes;
  std::string computedOn = "cpu";  // the operator's device ("cpu", "cuda")
  int64_t peakWorkspaceBytes = 0;  // tracked, map grids and copies of A included; beyond Q, K, V and O
  double mapMs = 0, spectrumMs = 0, metricsMs = 0;
};

// What the run already computed for the head, to avoid doing it again.
struct HeadRun {
  const HeadExtras* extras = nullptr;
  const Mat* output = nullptr;
};

// A map request for a region: exact when both sides are at most
// kExactMapLimit tokens, else kPooledMapCells cells per side; maxCells > 0 overrides.
MapRequest defaultMapRequest(int64_t n, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t maxCells = 0);

// Exact from the layout where the variant has one (and walking it is cheap),
// else from the variant's cost model.
PairCount countPairs(const Variant& variant, const AttentionSpec& spec, const HeadInput& input);

AnalysisResult analyzeHead(const AttentionSpec& spec, const Qkv& qkv, const std::vector<std::string>* labels, const AnalysisRequest& request,
                           const HeadRun& run = {}, const CancelToken* cancel = nullptr);

}  // namespace attnscope
