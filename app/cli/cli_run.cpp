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

int runRun(Args& args) {
  RunSpec spec;
  std::string variant;
  std::vector<std::string> assignments;
  std::string outJson, outOutput, outTrace;
  AnalysisFlags analysisFlags;
  bool sampleGiven = false;
  while (!args.empty()) {
    const std::string flag = args.nextFlag();
    if (flag == "--variant") variant = args.value(flag);
    else if (flag == "--sample") { spec.sample = args.value(flag); sampleGiven = true; }
    else if (flag == "--input") spec.inputFile = args.value(flag);
    else if (flag == "--qkv") spec.qkvFile = args.value(flag);
    else if (flag == "--n") spec.n = args.intValue(flag, 1, int64_t{1} << 24);
    else if (flag == "--heads") spec.features.heads = static_cast<int>(args.intValue(flag, 1, 256));
    else if (flag == "--d") spec.features.d = static_cast<int>(args.intValue(flag, 1, 1024));
    else if (flag == "--positions") {
      try { spec.features.positions = parsePositions(args.value(flag)); }
      catch (const Error& e) { throw UsageError{flag + ": " + e.what()}; }
    }
    else if (flag == "--untied") spec.features.tiedQK = false;
    else if (flag == "--seed") { spec.features.seed = static_cast<uint64_t>(args.intValue(flag, 0, INT64_MAX)); spec.sampleSeed = spec.features.seed; }
    else if (flag == "--causal") spec.attention.causal = true;
    else if (flag == "--param") assignments.push_back(args.value(flag));
    else if (flag == "--backend") spec.backend = args.value(flag);
    else if (flag == "--repeats") spec.repeats = static_cast<int>(args.intValue(flag, 1, 1000));
    else if (flag == "--warmup") spec.warmup = static_cast<int>(args.intValue(flag, 0, 100));
    else if (flag == "--memory-budget") spec.memoryBudgetBytes = args.bytesValue(flag);
    else if (flag == "--out-json") outJson = args.value(flag);
    else if (flag == "--out-output") outOutput = args.value(flag);
    else if (flag == "--out-trace") outTrace = args.value(flag);
    else if (parseAnalysisFlag(flag, args, analysisFlags)) continue;
    else if (!parseLoadFlag(flag, args, spec.load)) throw UsageError{"run: unknown flag " + flag};
  }
  if (variant.empty()) throw UsageError{"run: --variant is required (see attnscope-cli info)"};
  const int inputs = (sampleGiven ? 1 : 0) + (spec.inputFile.empty() ? 0 : 1) + (spec.qkvFile.empty() ? 0 : 1);
  if (inputs > 1) throw UsageError{"run: give only one of --sample, --input, --qkv"};
  if (!sampleGiven && inputs == 1) spec.sample.clear();

  try {
    const bool causal = spec.attention.causal;  // parsed before the variant's schema was known
    spec.attention = makeSpec(variant);
    spec.attention.causal = causal;
  } catch (const Error& e) {
    throw UsageError{std::string("--variant: ") + e.what()};
  }
  for (const std::string& a : assignments) {
    try {
      spec.attention.params.assign(a);
    } catch (const Error& e) {
      throw UsageError{std::string("--param: ") + e.what()};
    }
  }
  for (const auto& [flag, path] : {std::pair{"--out-json", outJson}, {"--out-output", outOutput}, {"--out-trace", outTrace}})
    if (!path.empty()) checkWritable(flag, path);
  checkAnalysisFlags(analysisFlags);

  Trace preparation;  // load and featurize spans, for --out-trace
  Sequence seq = loadInput(spec, &preparation);
  Qkv qkv = prepareQkv(spec, seq, &preparation);
  // Analysis flags that depend on n and the heads fail here, before the run.
  const bool analysis = analysisWanted(analysisFlags, !outJson.empty());
  const AnalysisRequest analysisRequest = analysis ? analysisRequestFor(analysisFlags, qkv.n(), qkv.heads(), !outJson.empty()) : AnalysisRequest{};
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
