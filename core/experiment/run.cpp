#include "experiment/run.hpp"

#include <algorithm>
#include <cmath>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "profiling/process_memory.hpp"
#include "profiling/profiler.hpp"
#include "sequence/loader.hpp"
#include "sequence/samples.hpp"

namespace attnscope {

namespace {

constexpr int64_t kMaxN = int64_t{1} << 24;
// A generated sample keeps one label per token: a std::string plus short text
// (and the generator's own working copy), rounded up.
constexpr double kSampleBytesPerToken = 64.0;

int64_t clampBytes(double bytes) { return bytes > 9.0e18 ? INT64_MAX : bytes < 0 ? 0 : static_cast<int64_t>(bytes); }

void recordSpan(Trace* trace, const std::string& name, int64_t startNs, int64_t bytes = 0, double flops = 0) {
  if (!trace) return;
  trace->spans.push_back(Span{name, SpanCategory::Host, "cpu", currentThreadTrack(), startNs, traceClockNs() - startNs, bytes, flops});
}

[[noreturn]] void refuse(const std::string& what, double need, int64_t budget, const std::string& where) {
  throw MemoryRefused("memory guard: " + what + " would need " + formatBytes(need) + " but the budget is " + formatBytes(static_cast<double>(budget)) +
                          " (" + where + "); nothing was allocated",
                      clampBytes(need), budget);
}

std::string describeRequest(const RunSpec& spec, int64_t n) {
  return spec.attention.variant + " at n = " + std::to_string(n) + ", heads = " + std::to_string(spec.features.heads) + ", d = " + std::to_string(spec.features.d);
}

}  // namespace

double MemoryReport::measuredOverPredicted() const {
  return workspacePredictedBytes > 0 ? static_cast<double>(workspacePeakBytes) / workspacePredictedBytes : 0.0;
}

int64_t memoryBudget(const RunSpec& spec, const Backend& backend) {
  if (spec.memoryBudgetBytes > 0) return spec.memoryBudgetBytes;
  return clampBytes(spec.memoryFraction * static_cast<double>(backend.freeMemoryBytes()));
}

int64_t predictedRunBytes(const CostEstimate& cost, const Shape& shape) {
  const double output = 4.0 * static_cast<double>(shape.heads) * static_cast<double>(shape.n) * static_cast<double>(shape.dv);
  return clampBytes(output + cost.workspaceBytes);
}

double predictedInputBytes(const RunSpec& spec, int64_t n, bool generatesSample, bool featurizes) {
  const double nn = static_cast<double>(std::max<int64_t>(n, 0));
  double bytes = generatesSample ? kSampleBytesPerToken * nn : 0.0;
  if (featurizes) {
    const double d = std::max(0, spec.features.d), heads = std::max(0, spec.features.heads);
    const double dModel = spec.features.dModel > 0 ? spec.features.dModel : 2.0 * d;
    bytes += 4.0 * nn * dModel;         // token embeddings (plus positions, in place)
    bytes += 4.0 * 3.0 * dModel * d;    // one head's projection matrices at a time
    bytes += 4.0 * 3.0 * heads * nn * d;  // Q, K, V
  }
  return bytes;
}

void checkMemoryGuard(const RunSpec& spec, const Backend& backend, const CostEstimate& cost, const Shape& shape) {
  const int64_t need = predictedRunBytes(cost, shape);
  const int64_t budget = memoryBudget(spec, backend);
  if (budget > 0 && need > budget)
    refuse(spec.attention.variant + " at n = " + std::to_string(shape.n), static_cast<double>(need), budget, backend.name());
}

void checkRequestGuard(const RunSpec& spec, int64_t n, bool generatesSample, bool featurizes) {
  Backend& backend = BackendRegistry::instance().get(spec.backend);
  const bool hostRun = backend.name() == "cpu";
  const int64_t hostBudget = spec.memoryBudgetBytes > 0 ? spec.memoryBudgetBytes : clampBytes(spec.memoryFraction * static_cast<double>(availableSystemMemory()));
  if (hostBudget <= 0) return;
  const double inputs = predictedInputBytes(spec, n, generatesSample, featurizes);
  // Inputs alone first: cheap, and it keeps absurd n away from the cost model.
  if (inputs > static_cast<double>(hostBudget)) refuse(describeRequest(spec, n) + " (input and Q/K/V)", inputs, hostBudget, "host memory");
  if (!hostRun || !featurizes || n < 1 || n > kMaxN) return;
  const Variant* variant = VariantRegistry::instance().find(spec.attention.variant);
  if (!variant) return;  // named later, with the known ids
  const int64_t d = spec.features.d;
  Shape shape{n, d, d, spec.features.heads, spec.attention.causal, backend.workers()};
  shape.lanes = backend.headLanes(shape);
  double total = inputs;
  try {
    total += static_cast<double>(predictedRunBytes(predictCost(*variant, spec.attention, shape), shape));
  } catch (const Error&) {
    return;  // a parameter the variant rejects: validate() names it before the run
  }
  if (total > static_cast<double>(hostBudget)) refuse(describeRequest(spec, n), total, hostBudget, "host memory");
}

Sequence loadInput(const RunSpec& spec, Trace* trace) {
  const int sources = (spec.sample.empty() ? 0 : 1) + (spec.inputFile.empty() ? 0 : 1) + (spec.qkvFile.empty() ? 0 : 1);
  if (sources != 1) throw Error(ErrorKind::InvalidArgument, "give exactly one input: a sample, an input file or a Q/K/V .npy");
  // The guard answers absurd sizes with bytes before the range check does.
  if (!spec.sample.empty()) checkRequestGuard(spec, spec.n, true, true);
  if (spec.n < 0 || spec.n > kMaxN)
    throw Error(ErrorKind::InvalidArgument, "n must be in [1, " + std::to_string(kMaxN) + "], got " + std::to_string(spec.n));
  const int64_t start = traceClockNs();
  Sequence seq;
  if (!spec.qkvFile.empty()) {
    seq.name = spec.qkvFile;
    seq.kind = SequenceKind::Tensor;
    seq.qkv = loadQkvNpy(spec.qkvFile, spec.load);
    seq.hasQkv = true;
  } else if (!spec.inputFile.empty()) {
    seq = loadSequenceFile(spec.inputFile, spec.load);
  } else {
    if (spec.n == 0) throw Error(ErrorKind::InvalidArgument, "n must be at least 1 for a sample");
    seq = makeSample(spec.sample, spec.n, spec.sampleSeed);
  }
  if (spec.n > 0) {
    if (seq.length() < spec.n)
      seq.warnings.push_back("input has " + std::to_string(seq.length()) + " positions, fewer than n = " + std::to_string(spec.n) + "; using all of them");
    else if (seq.length() > spec.n && (!spec.inputFile.empty() || !spec.qkvFile.empty()))
      seq.warnings.push_back("cropped to the first " + std::to_string(spec.n) + " of " + std::to_string(seq.length()) + " positions (n)");
    seq.crop(spec.n);
  }
  recordSpan(trace, "load input", start);
  return seq;
}

Qkv prepareQkv(const RunSpec& spec, const Sequence& seq, Trace* trace, const CancelToken* cancel) {
  if (!seq.hasQkv) checkRequestGuard(spec, seq.length(), false, true);
  const int64_t start = traceClockNs();
  Qkv qkv = featurize(seq, spec.features, cancel);
  qkv.checkShapes();
  if (!seq.hasQkv) {
    const double n = static_cast<double>(qkv.n()), d = static_cast<double>(qkv.d());
    const double dModel = spec.features.dModel > 0 ? spec.features.dModel : 2.0 * d;
    recordSpan(trace, "featurize (embeddings, Q/K/V projections)", start, clampBytes(12.0 * qkv.heads() * n * d),
               2.0 * n * dModel * d * 3.0 * qkv.heads());
  }
  return qkv;
}

RunResult runAttention(const RunSpec& spec, const Qkv& qkv, const std::vector<std::string>& labels, const RunCallbacks& callbacks,
                       const Trace* preparation) {
  if (spec.repeats < 1 || spec.repeats > 1000) throw Error(ErrorKind::InvalidArgument, "repeats must be in [1, 1000], got " + std::to_string(spec.repeats));
  if (spec.warmup < 0 || spec.warmup > 100) throw Error(ErrorKind::InvalidArgument, "warmup must be in [0, 100], got " + std::to_string(spec.warmup));
  Backend& backend = BackendRegistry::instance().get(spec.backend);
  const BackendStatus status = backend.status();
  if (!status.available) throw Error(ErrorKind::Unavailable, "backend '" + backend.name() + "' is not available: " + status.reason);
  const Variant& variant = VariantRegistry::instance().get(spec.attention.variant);
  RunResult r;
  r.spec = spec;
  r.shape = Shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.attention.causal, backend.workers()};
  std::string why;
  if (!backend.supports(spec.attention, &r.shape, &why)) throw Error(ErrorKind::Unsupported, "backend '" + backend.name() + "': " + why);

  r.inputDescription = qkv.origin;
  r.labels = labels;
  variant.validate(spec.attention, r.shape);
  r.shape.lanes = backend.headLanes(r.shape);
  r.predicted = predictCost(variant, spec.attention, r.shape);
  checkMemoryGuard(spec, backend, r.predicted, r.shape);
  if (preparation) r.trace.append(*preparation);

  RunOptions options;
  options.cancel = callbacks.cancel;
  options.labels = labels.empty() ? nullptr : &r.labels;
  int total = spec.warmup + spec.repeats;
  const bool adaptive = spec.minMeasureSeconds > 0 && !spec.map;
  double measuredMs = 0;
  const int hostTrack = currentThreadTrack();
  r.trace.trackNames.emplace(hostTrack, "host (runs and heads)");
  std::vector<Mat> spare;  // the previous repeat's outputs, handed back for reuse
  options.reuseOutputs = &spare;
  for (int i = 0; i < total; ++i) {
    if (callbacks.cancel) callbacks.cancel->check();
    const bool warm = i < spec.warmup;
    const std::string label = warm ? "warm-up " + std::to_string(i + 1) : "repeat " + std::to_string(i - spec.warmup + 1);
    if (callbacks.progress) callbacks.progress(label, static_cast<double>(i) / total);
    const bool last = i + 1 == total;
    options.map = last ? spec.map : std::nullopt;
    const int64_t start = traceClockNs();
    AttentionResult res = backend.run(spec.attention, qkv, options);
    r.trace.spans.push_back(Span{label, SpanCategory::Host, "cpu", hostTrack, start, traceClockNs() - start, 0, warm ? 0.0 : r.predicted.flops});
    r.trace.append(res.trace);
    if (!warm) {
      r.time.samplesMs.push_back(res.elapsedMs);
      measuredMs += res.elapsedMs;
      // Short runs: one more repeat while too little time has been measured.
      if (adaptive && i + 1 == total && measuredMs < spec.minMeasureSeconds * 1000.0 && static_cast<int>(r.time.samplesMs.size()) < kMaxAdaptiveRepeats)
        ++total;
    }
    r.peakWorkspaceBytes = std::max(r.peakWorkspaceBytes, res.peakWorkspaceBytes);
    if (last) r.result = std::move(res);
    else spare = std::move(res.output);
  }
  std::vector<double> sorted = r.time.samplesMs;
  std::sort(sorted.begin(), sorted.end());
  const size_t m = sorted.size();
  r.time.medianMs = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
  r.time.minMs = sorted.front();
  r.time.maxMs = sorted.back();
  const double seconds = r.time.medianMs / 1000.0;
  r.gflops = seconds > 0 ? r.predicted.flops / seconds / 1e9 : 0;
  r.bytesMoved = r.predicted.bytesRead + r.predicted.bytesWritten;
  r.gbPerS = seconds > 0 ? r.bytesMoved / seconds / 1e9 : 0;

  MemoryReport& mem = r.memory;
  mem.workspacePeakBytes = r.peakWorkspaceBytes;
  mem.workspacePredictedBytes = r.predicted.workspaceBytes;
  const double heads = static_cast<double>(r.shape.heads), n = static_cast<double>(r.shape.n);
  mem.tensorBytes = clampBytes(4.0 * heads * n * static_cast<double>(2 * r.shape.d + 2 * r.shape.dv));
  mem.runBytes = mem.tensorBytes + mem.workspacePeakBytes;
  mem.processPeakRssBytes = processPeakRssBytes();
  if (callbacks.progress) callbacks.progress("done", 1.0);
  return r;
}

RunResult runFromSpec(const RunSpec& spec, const RunCallbacks& callbacks) {
  if (callbacks.progress) callbacks.progress("loading input", 0.0);
  Trace preparation;
  Sequence seq = loadInput(spec, &preparation);
  checkCancelled(callbacks.cancel);
  Qkv qkv = prepareQkv(spec, seq, &preparation, callbacks.cancel);
  RunResult r = runAttention(spec, qkv, seq.labels, callbacks, &preparation);
  r.warnings.insert(r.warnings.begin(), seq.warnings.begin(), seq.warnings.end());
  return r;
}

}  // namespace attnscope
