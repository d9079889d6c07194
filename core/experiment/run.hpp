// RunSpec -> RunResult: one measured run of one variant on one input (DESIGN §2).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/variant.hpp"
#include "backend/backend.hpp"
#include "common/error.hpp"
#include "featurize/featurizer.hpp"
#include "profiling/trace.hpp"
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
  // Keep repeating (beyond `repeats`, up to kMaxAdaptiveRepeats) until this much
  // time is measured: short runs get enough samples for a steady median. 0: off.
  // Ignored when a map is requested (the map comes from the last repeat).
  double minMeasureSeconds = 0;
  std::optional<MapRequest> map;
  double memoryFraction = 0.8;  // memory guard: share of free memory a run may use
  int64_t memoryBudgetBytes = 0;  // overrides the fraction when > 0
};

constexpr int kMaxAdaptiveRepeats = 50;

struct TimingStats {
  double medianMs = 0, minMs = 0, maxMs = 0;
  std::vector<double> samplesMs;
};

// Memory of one run, measured three ways and predicted once.
struct MemoryReport {
  int64_t workspacePeakBytes = 0;      // tracked scratch peak (every kernel allocates through the meter)
  double workspacePredictedBytes = 0;  // the cost model's workspace
  int64_t tensorBytes = 0;             // the run's own Q, K, V and O
  int64_t runBytes = 0;                // tensorBytes + workspacePeakBytes: what the sweep fits
  int64_t processPeakRssBytes = 0;     // the process's resident high-water mark after the run
  // workspacePeakBytes / workspacePredictedBytes (0 when nothing was predicted).
  double measuredOverPredicted() const;
};

struct RunResult {
  RunSpec spec;
  Shape shape;
  std::string inputDescription;
  CostEstimate predicted;
  TimingStats time;
  int64_t peakWorkspaceBytes = 0;  // == memory.workspacePeakBytes
  MemoryReport memory;
  double gflops = 0;        // achieved: predicted.flops / median time
  double bytesMoved = 0;    // predicted bytes read + written
  double gbPerS = 0;        // achieved: bytesMoved / median time
  AttentionResult result;   // from the last repeat
  Trace trace;              // input preparation (when given) and every warm-up and repeat
  std::vector<std::string> labels;
  std::vector<std::string> warnings;
};

struct RunCallbacks {
  const CancelToken* cancel = nullptr;
  std::function<void(const std::string& stage, double fraction)> progress;
};

// The memory guard's refusal: Error(TooLarge) with the numbers it compared.
class MemoryRefused : public Error {
 public:
  MemoryRefused(const std::string& message, int64_t need, int64_t budget) : Error(ErrorKind::TooLarge, message), needBytes(need), budgetBytes(budget) {}
  int64_t needBytes;
  int64_t budgetBytes;
};

// Loads the input named by the spec (sample, file or .npy Q/K/V) and crops it.
// For a sample, the guard first checks the whole request (sample, features,
// Q/K/V, output, workspace) and refuses before generating anything.
// A "load input" span goes into *trace when given.
Sequence loadInput(const RunSpec& spec, Trace* trace = nullptr);
// Featurizes (or passes Q/K/V through), checks shapes. The guard checks the
// features, Q/K/V and the run before featurizing. A "featurize" span goes into *trace.
Qkv prepareQkv(const RunSpec& spec, const Sequence& seq, Trace* trace = nullptr, const CancelToken* cancel = nullptr);

// Bytes the budget allows: memoryBudgetBytes, else memoryFraction of the
// backend's free memory (0: unknown, no limit).
int64_t memoryBudget(const RunSpec& spec, const Backend& backend);
// Predicted bytes a run needs beyond what already exists: output plus workspace.
int64_t predictedRunBytes(const CostEstimate& cost, const Shape& shape);
// Predicted bytes of the input path for length n: the sample's labels (when
// generated), the embeddings and projection matrices (when featurized) and Q/K/V.
double predictedInputBytes(const RunSpec& spec, int64_t n, bool generatesSample, bool featurizes);
// Throws MemoryRefused with predicted and available bytes when the run would not fit.
void checkMemoryGuard(const RunSpec& spec, const Backend& backend, const CostEstimate& cost, const Shape& shape);
// The guard before any input exists: inputs plus (on the CPU) the run, for length n.
void checkRequestGuard(const RunSpec& spec, int64_t n, bool generatesSample, bool featurizes);

// Warm-up, then repeats; median, min, max. Throws Error on bad input,
// refusal by the memory guard, or cancellation. preparation's spans (load,
// featurize) are put at the front of the result's trace.
RunResult runAttention(const RunSpec& spec, const Qkv& qkv, const std::vector<std::string>& labels, const RunCallbacks& callbacks = {},
                       const Trace* preparation = nullptr);

// The whole pipeline: load, featurize, run.
RunResult runFromSpec(const RunSpec& spec, const RunCallbacks& callbacks = {});

}  // namespace attnscope
