// attnscope-cli run: one variant, one input, measured; writes what was asked.
#include <cstdio>
#include <fstream>

#include "attention/registry.hpp"
#include "analysis/analysis_json.hpp"
#include "cli_analysis.hpp"
#include "cli_args.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "experiment/json_export.hpp"
#include "experiment/run.hpp"
#include "sequence/npy.hpp"

namespace attnscope::cli {

namespace {

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(ErrorKind::Io, path + ": cannot open for writing");
  out << text;
  if (!out) throw Error(ErrorKind::Io, path + ": write failed");
}

void checkWritable(const std::string& flag, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) throw UsageError{flag + ": cannot write to '" + path + "'"};
}

}  // namespace

std::string runUsage() {
  return "usage: attnscope-cli run --variant ID [FLAGS]\n"
         "Runs one variant on one input, measured, and writes what was asked.\n\n"
         "run flags:\n" +
         flags::specFlagsUsage() +
         "  --out-json FILE      the run record\n"
         "  --out-output FILE    O as float32 .npy [H, n, d]\n"
         "  --out-trace FILE     the trace (load, featurize, every repeat, per-phase kernel totals) as Chrome trace JSON\n";
}

int runRun(Args& args) {
  flags::SpecFlags specFlags;
  std::string outJson, outOutput, outTrace;
  AnalysisFlags analysisFlags;
  while (!args.empty()) {
    const std::string flag = args.nextFlag();
    if (flag == "--out-json") outJson = args.value(flag);
    else if (flag == "--out-output") outOutput = args.value(flag);
    else if (flag == "--out-trace") outTrace = args.value(flag);
    else if (parseAnalysisFlag(flag, args, analysisFlags)) continue;
    else if (!flags::parseSpecFlag(flag, args, specFlags)) throw UsageError{"run: unknown flag " + flag + " (see attnscope-cli run --help)"};
  }
  if (!specFlags.variantGiven) throw UsageError{"run: --variant is required (see attnscope-cli info)"};
  RunSpec spec;
  try {
    spec = flags::finishSpec(specFlags);
  } catch (const UsageError& e) {
    throw UsageError{"run: " + e.message};
  }
  const std::string& variant = spec.attention.variant;
  for (const auto& [flag, path] : {std::pair{"--out-json", outJson}, {"--out-output", outOutput}, {"--out-trace", outTrace}})
    if (!path.empty()) checkWritable(flag, path);
  checkAnalysisFlags(analysisFlags);

  Trace preparation;  // load and featurize spans, for --out-trace
  Sequence seq = loadInput(spec, &preparation);
  Qkv qkv = prepareQkv(spec, seq, &preparation);
  // Analysis flags that depend on n and the heads fail here, before the run.
  const bool analysis = analysisWanted(analysisFlags, !outJson.empty());
  AnalysisRequest analysisRequest = analysis ? analysisRequestFor(analysisFlags, qkv.n(), qkv.heads(), !outJson.empty()) : AnalysisRequest{};
  analysisRequest.backend = spec.backend;  // A from the device the variant ran on, where it has an operator
  RunResult result = runAttention(spec, qkv, seq.labels, {}, &preparation);
  result.warnings.insert(result.warnings.begin(), seq.warnings.begin(), seq.warnings.end());

  const Mat& first = result.result.output.front();
  std::printf("%s: n=%lld heads=%lld d=%lld %s: median %.3f ms (min %.3f, max %.3f, %d repeats), %.2f GFLOP/s, peak workspace %s\n",
              variant.c_str(), static_cast<long long>(result.shape.n), static_cast<long long>(result.shape.heads),
              static_cast<long long>(result.shape.d), spec.backend.c_str(), result.time.medianMs, result.time.minMs, result.time.maxMs,
              spec.repeats, result.gflops, formatBytes(static_cast<double>(result.peakWorkspaceBytes)).c_str());
  for (const std::string& w : result.warnings) std::fprintf(stderr, "attnscope-cli: warning: %s\n", w.c_str());

  if (!outOutput.empty()) {
    std::vector<float> all;
    all.reserve(static_cast<size_t>(result.shape.heads * first.size()));
    for (const Mat& o : result.result.output) all.insert(all.end(), o.data(), o.data() + o.size());
    writeNpy(outOutput, all.data(), {result.shape.heads, result.shape.n, result.shape.dv});
  }
  nlohmann::json analysisJson;
  if (analysis) {
    const size_t h = static_cast<size_t>(analysisRequest.head);
    const HeadExtras* extras = h < result.result.extras.size() ? &result.result.extras[h] : nullptr;
    const Mat* output = h < result.result.output.size() ? &result.result.output[h] : nullptr;
    const std::vector<std::string>* labels = seq.labels.empty() ? nullptr : &seq.labels;
    const AnalysisResult analysed = analyzeHead(spec.attention, qkv, labels, analysisRequest, HeadRun{extras, output});
    analysisJson = analysisToJson(analysed, labels);
    writeAnalysisOutputs(analysisFlags, analysed, extras, analysisJson);
    std::printf("%s\n", analysisSummaryLine(analysed).c_str());
  }
  if (!outTrace.empty()) writeText(outTrace, result.trace.toChromeJson());
  if (!outJson.empty()) {
    nlohmann::json j = resultToJson(result);
    if (analysis) j["analysis"] = analysisJson;
    if (!outOutput.empty()) j["output_file"] = {{"path", outOutput}, {"shape", {result.shape.heads, result.shape.n, result.shape.dv}}};
    writeText(outJson, j.dump(2) + "\n");
  }
  return 0;
}

}  // namespace attnscope::cli
