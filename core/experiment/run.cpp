#include "experiment/run.hpp"

#include <algorithm>
#include <cmath>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "sequence/loader.hpp"
#include "sequence/samples.hpp"

namespace attnscope {

namespace {
constexpr int64_t kMaxN = int64_t{1} << 24;
}

Sequence loadInput(const RunSpec& spec) {
  const int sources = (spec.sample.empty() ? 0 : 1) + (spec.inputFile.empty() ? 0 : 1) + (spec.qkvFile.empty() ? 0 : 1);
  if (sources != 1) throw Error(ErrorKind::InvalidArgument, "give exactly one input: a sample, an input file or a Q/K/V .npy");
  if (spec.n < 0 || spec.n > kMaxN)
    throw Error(ErrorKind::InvalidArgument, "n must be in [1, " + std::to_string(kMaxN) + "], got " + std::to_string(spec.n));
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
    seq.crop(spec.n);
  }
  return seq;
}

Qkv prepareQkv(const RunSpec& spec, const Sequence& seq) {
  Qkv qkv = featurize(seq, spec.features);
  qkv.checkShapes();
  return qkv;
}

int64_t predictedRunBytes(const CostEstimate& cost, const Shape& shape) {
  const double output = 4.0 * static_cast<double>(shape.heads) * static_cast<double>(shape.n) * static_cast<double>(shape.dv);
  const double total = output + cost.workspaceBytes;
  return total > 9.0e18 ? INT64_MAX : static_cast<int64_t>(total);
}

void checkMemoryGuard(const RunSpec& spec, const Backend& backend, const CostEstimate& cost, const Shape& shape) {
  const int64_t need = predictedRunBytes(cost, shape);
  const int64_t budget =
      spec.memoryBudgetBytes > 0 ? spec.memoryBudgetBytes : static_cast<int64_t>(spec.memoryFraction * static_cast<double>(backend.freeMemoryBytes()));
  if (budget > 0 && need > budget)
    throw Error(ErrorKind::TooLarge, "memory guard: " + spec.attention.variant + " at n = " + std::to_string(shape.n) + " would need " +
                                         formatBytes(static_cast<double>(need)) + " but the budget is " + formatBytes(static_cast<double>(budget)) +
                                         " (" + backend.name() + "); nothing was allocated");
}

RunResult runAttention(const RunSpec& spec, const Qkv& qkv, const std::vector<std::string>& labels, const RunCallbacks& callbacks) {
  if (spec.repeats < 1 || spec.repeats > 1000) throw Error(ErrorKind::InvalidArgument, "repeats must be in [1, 1000], got " + std::to_string(spec.repeats));
  if (spec.warmup < 0 || spec.warmup > 100) throw Error(ErrorKind::InvalidArgument, "warmup must be in [0, 100], got " + std::to_string(spec.warmup));
  Backend& backend = BackendRegistry::instance().get(spec.backend);
  const BackendStatus status = backend.status();
  if (!status.available) throw Error(ErrorKind::Unavailable, "backend '" + backend.name() + "' is not available: " + status.reason);
  std::string why;
  if (!backend.supports(spec.attention, &why)) throw Error(ErrorKind::Unsupported, "backend '" + backend.name() + "': " + why);

  const Variant& variant = VariantRegistry::instance().get(spec.attention.variant);
  RunResult r;
  r.spec = spec;
  r.shape = Shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.attention.causal, backend.workers()};
  r.inputDescription = qkv.origin;
  r.labels = labels;
  variant.validate(spec.attention, r.shape);
  r.predicted = variant.cost(spec.attention, r.shape);
  checkMemoryGuard(spec, backend, r.predicted, r.shape);

  RunOptions options;
  options.cancel = callbacks.cancel;
  options.labels = labels.empty() ? nullptr : &r.labels;
  const int total = spec.warmup + spec.repeats;
  for (int i = 0; i < total; ++i) {
    if (callbacks.progress) callbacks.progress(i < spec.warmup ? "warm-up" : "repeat " + std::to_string(i - spec.warmup + 1), static_cast<double>(i) / total);
    const bool last = i + 1 == total;
    options.map = last ? spec.map : std::nullopt;
    AttentionResult res = backend.run(spec.attention, qkv, options);
    if (i >= spec.warmup) r.time.samplesMs.push_back(res.elapsedMs);
    r.peakWorkspaceBytes = std::max(r.peakWorkspaceBytes, res.peakWorkspaceBytes);
    if (last) r.result = std::move(res);
  }
  std::vector<double> sorted = r.time.samplesMs;
  std::sort(sorted.begin(), sorted.end());
  const size_t m = sorted.size();
  r.time.medianMs = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
  r.time.minMs = sorted.front();
  r.time.maxMs = sorted.back();
  r.gflops = r.time.medianMs > 0 ? r.predicted.flops / (r.time.medianMs * 1e6) : 0;
  if (callbacks.progress) callbacks.progress("done", 1.0);
  return r;
}

RunResult runFromSpec(const RunSpec& spec, const RunCallbacks& callbacks) {
  if (callbacks.progress) callbacks.progress("loading input", 0.0);
  Sequence seq = loadInput(spec);
  Qkv qkv = prepareQkv(spec, seq);
  RunResult r = runAttention(spec, qkv, seq.labels, callbacks);
  r.warnings.insert(r.warnings.begin(), seq.warnings.begin(), seq.warnings.end());
  return r;
}

}  // namespace attnscope
