// attnscope-cli bench: the machine's roof, then every variant on the fixed
// preset, each point as a share of that roof and against dense.
#include "cli_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "common/error.hpp"
#include "experiment/bench.hpp"
#include "experiment/sweep.hpp"

namespace attnscope::cli {

namespace {

void printPoint(const BenchPoint& p) {
  if (!p.done) {
    std::printf("  %-16s d=%-4d n=%-7lld %s\n", p.variant.c_str(), p.d, static_cast<long long>(p.n), p.note.c_str());
  } else {
    char rel[32] = "     -";
    if (p.relativeToDense) std::snprintf(rel, sizeof rel, "%6.3f", *p.relativeToDense);
    char ws[40] = "";
    if (p.workspaceRatio > 1.05) std::snprintf(ws, sizeof ws, "  workspace %.2f x predicted", p.workspaceRatio);
    std::printf("  %-16s d=%-4d n=%-7lld %11.3f ms %8.2f GFLOP/s %6.3f roof %8.2f GB/s %6.3f triad %s x dense%s\n", p.variant.c_str(), p.d,
                static_cast<long long>(p.n), p.medianMs, p.gflops, p.roofRatio, p.gbPerS, p.triadRatio, rel, ws);
  }
  std::fflush(stdout);
}

}  // namespace

std::string benchUsage() {
  return "bench flags:\n"
         "  --quick              tiny sizes (a few seconds; what the test suite runs)\n"
         "  --backend NAME       cpu (default) or cuda: on cuda the roof is cuBLAS GEMM at --precision and a device copy,\n"
         "                       and the preset is n = 4096..65536\n"
         "  --precision P        fp32 (default on cpu), fp16 or bf16 (default on cuda)\n"
         "  --variants A,B,C     variants to measure (default: every variant; dense always runs first)\n"
         "  --lengths SPEC       FROM:TO[:xF|:+S] or N1,N2,... (default 1024:65536, doubling)\n"
         "  --d LIST             head widths (default 64,128)\n"
         "  --budget S           skip points whose run is predicted to take over S seconds (default 30)\n"
         "  --memory-budget B    bytes a point may use (default 80% of free memory); points over it are skipped\n"
         "  --out-json FILE      machine, roof, every point and the fitted exponents\n"
         "The preset is fixed (8 heads, each variant's default parameters, the document sample) so machines compare.\n";
}

int runBenchCommand(Args& args) {
  bool quick = false;
  std::vector<std::string> variants;
  std::optional<std::vector<int64_t>> lengths;
  std::optional<std::vector<int>> dims;
  std::optional<double> budget;
  int64_t memoryBudget = 0;
  std::string outJson;
  std::string backend = "cpu";
  std::optional<Precision> precision;
  while (!args.empty()) {
    const std::string flag = args.nextFlag();
    auto core = [&](auto parse) {
      try {
        return parse(args.value(flag));
      } catch (const Error& e) {
        throw UsageError{flag + ": " + e.what()};
      }
    };
    if (flag == "--quick") quick = true;
    else if (flag == "--backend") backend = args.value(flag);
    else if (flag == "--precision") precision = core([](const std::string& v) { return parsePrecision(v); });
    else if (flag == "--variants") {
      variants = core([](const std::string& v) {
        std::vector<std::string> out = parseValues(v);
        for (size_t i = 0; i < out.size(); ++i) {
          VariantRegistry::instance().get(out[i]);
          if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), out[i]) != out.begin() + static_cast<std::ptrdiff_t>(i))
            throw Error(ErrorKind::InvalidArgument, "variant '" + out[i] + "' is listed twice");
        }
        return out;
      });
    } else if (flag == "--lengths") {
      lengths = core([](const std::string& v) {
        std::vector<int64_t> out = parseLengths(v);
        if (out.size() > 64) throw Error(ErrorKind::InvalidArgument, "at most 64 lengths, got " + std::to_string(out.size()));
        for (int64_t n : out)
          if (n < 1 || n > (int64_t{1} << 24)) throw Error(ErrorKind::InvalidArgument, std::to_string(n) + " is out of range [1, 16777216]");
        return out;
      });
    } else if (flag == "--d") {
      dims = core([](const std::string& v) {
        std::vector<int> out;
        for (int64_t d : parseLengths(v)) {
          if (d < 1 || d > 1024) throw Error(ErrorKind::InvalidArgument, std::to_string(d) + " is out of range [1, 1024]");
          out.push_back(static_cast<int>(d));
        }
        return out;
      });
    } else if (flag == "--budget") budget = args.doubleValue(flag, 0.001, 86400);
    else if (flag == "--memory-budget") memoryBudget = args.bytesValue(flag);
    else if (flag == "--out-json") outJson = args.value(flag);
    else throw UsageError{"bench: unknown flag " + flag + " (see attnscope-cli bench --help)"};
  }
  const Backend* chosen = nullptr;
  try {
    chosen = &BackendRegistry::instance().get(backend);
  } catch (const Error& e) {
    throw UsageError{std::string("--backend: ") + e.what()};
  }
  BenchPreset preset = backend == "cpu" ? benchPreset(quick) : gpuBenchPreset(quick);
  preset.backend = backend;
  if (precision) preset.precision = *precision;
  if (lengths) preset.lengths = *lengths;
  if (dims) preset.dims = *dims;
  if (budget) preset.runBudgetSeconds = *budget;
  preset.memoryBudgetBytes = memoryBudget;
  if (variants.empty()) variants = VariantRegistry::instance().ids();
  if (!outJson.empty()) {
    std::ofstream probe(outJson, std::ios::binary | std::ios::app);
    if (!probe) throw UsageError{"--out-json: cannot write to '" + outJson + "'"};
  }

  const BackendStatus status = chosen->status();
  if (!status.available) throw Error(ErrorKind::Unavailable, "backend '" + backend + "' is unavailable: " + status.reason);

  const MachineInfo machine = probeMachine();
  std::printf("bench: %s, %d hardware threads (%d workers), CPU reports %s; SGEMM through %s; Eigen compiled for %s\n", machine.cpuModel.c_str(),
              machine.cores, machine.workers, machine.cpuIsa.c_str(), machine.gemmPath.c_str(), machine.eigenIsa.c_str());
  std::printf("backend: %s, precision %s\n", preset.backend.c_str(), precisionName(preset.precision));
  std::printf("preset: %zu variants, %zu lengths x %zu widths, %d heads, %d warm-up + %d repeats (more until %.2g s measured), run budget %.3g s%s\n",
              variants.size(), preset.lengths.size(), preset.dims.size(), preset.heads, preset.warmup, preset.repeats, preset.minMeasureSeconds,
              preset.runBudgetSeconds, quick ? " (quick)" : "");
  std::fflush(stdout);
  BenchCallbacks callbacks;
  callbacks.roofDone = [&](const RoofResult& r) {
    std::printf("roof: GEMM %lld^3 through %s %.2f GFLOP/s (median %.2f); %s %.2f GB/s (median %.2f, %.0f MiB per pass)\n",
                static_cast<long long>(r.gemmSize), r.gemmPath.c_str(), r.sgemmGflops, r.sgemmMedianGflops, preset.backend == "cpu" ? "triad" : "device copy",
                r.triadGBs, r.triadMedianGBs, static_cast<double>(r.triadBytes) / (1024.0 * 1024.0));
    std::printf("points: median time, useful GFLOP/s (cost model) and share of the SGEMM roof, GB/s (cost model bytes) and share of the triad, time / dense\n");
    std::fflush(stdout);
  };
  callbacks.pointDone = printPoint;
  callbacks.roofAfterDone = [&](const RoofResult& r) {
    std::printf("roof again at the end: SGEMM %.2f GFLOP/s (median %.2f); triad %.2f GB/s (median %.2f)\n", r.sgemmGflops, r.sgemmMedianGflops, r.triadGBs,
                r.triadMedianGBs);
  };
  const BenchResult result = runBench(preset, variants, callbacks);

  std::printf("\ntime exponents (slope of log time over log n):\n");
  for (const BenchExponent& e : result.exponents) {
    if (e.fit.valid()) std::printf("  %-16s d=%-4d %5.2f (R2 %.3f, %d points)\n", e.variant.c_str(), e.d, e.fit.exponent, e.fit.r2, e.fit.points);
    else std::printf("  %-16s d=%-4d -    (%d points)\n", e.variant.c_str(), e.d, e.fit.points);
  }
  std::printf("%zu points in %.1f s; load average %.2f before, %.2f after\n", result.points.size(), result.wallSeconds, result.loadBefore, result.loadAfter);
  const double drift = result.roof.sgemmGflops > 0 ? result.roofAfter.sgemmGflops / result.roof.sgemmGflops : 1.0;
  if (!quick && (drift < 0.8 || drift > 1.25))
    std::printf("note: the SGEMM roof moved by a factor %.2f during the run (other load on the machine?); ratios are to the first roof\n", drift);
  if (!outJson.empty()) {
    std::ofstream out(outJson, std::ios::binary | std::ios::trunc);
    out << benchToJson(result).dump(2) << "\n";
    if (!out) throw Error(ErrorKind::Io, outJson + ": write failed");
  }
  return 0;
}

}  // namespace attnscope::cli
