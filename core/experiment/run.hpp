// RunSpec -> RunResult: one measured run of one variant on one input (DESIGN §2).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/variant.hpp"
#include "backend/backend.hpp"
#include "featurize/featurizer.hpp"
#include "sequence/loader.hpp"
#include "sequence/sequence.hpp"

namespace attnscope {

struct RunSpec {
  // Input: exactly one of sample, inputFile, qkvFile.
  std::string sample = "document";
  std::string inputFile;
  std::string qkvFile;
  LoadOptions load;          // how files are read (caps, columns, k-mers, tensor names)
  int64_t n = 1024;          // crop (or sample length); 0: whole input
  uint64_t sampleSeed = 1;
  FeaturizeOptions features;
  AttentionSpec attention;
  std::string backend = "cpu";
  int warmup = 1;
  int repeats = 5;
  std::optional<MapRequest> map;
  double memoryFraction = 0.8;  // memory guard: share of free memory a run may use
  int64_t memoryBudgetBytes = 0;  // overrides the fraction when > 0
};

struct TimingStats {
  double medianMs = 0, minMs = 0, maxMs = 0;
  std::vector<double> samplesMs;
};

struct RunResult {
  RunSpec spec;
  Shape shape;
  std::string inputDescription;
  CostEstimate predicted;
  TimingStats time;
  int64_t peakWorkspaceBytes = 0;
  double gflops = 0;        // achieved, from the median time
  AttentionResult result;   // from the last repeat
  std::vector<std::string> labels;
  std::vector<std::string> warnings;
};

struct RunCallbacks {
  const CancelToken* cancel = nullptr;
  std::function<void(const std::string& stage, double fraction)> progress;
};

// Loads the input named by the spec (sample, file or .npy Q/K/V) and crops it.
Sequence loadInput(const RunSpec& spec);
// Featurizes (or passes Q/K/V through), checks shapes.
Qkv prepareQkv(const RunSpec& spec, const Sequence& seq);

// Predicted bytes a run needs beyond what already exists: output plus workspace.
int64_t predictedRunBytes(const CostEstimate& cost, const Shape& shape);
// Throws Error(TooLarge) with predicted and available bytes when the run would not fit.
void checkMemoryGuard(const RunSpec& spec, const Backend& backend, const CostEstimate& cost, const Shape& shape);

// Warm-up, then repeats; median, min, max. Throws Error on bad input,
// refusal by the memory guard, or cancellation.
RunResult runAttention(const RunSpec& spec, const Qkv& qkv, const std::vector<std::string>& labels, const RunCallbacks& callbacks = {});

// The whole pipeline: load, featurize, run.
RunResult runFromSpec(const RunSpec& spec, const RunCallbacks& callbacks = {});

}  // namespace attnscope
