// attnscope-cli sweep: runs the sweep engine, shows progress on a terminal,
// stops cleanly on Ctrl-C (writing what finished, exit status 130), and
// writes CSV, JSON and the scaling plot.
#include "cli_sweep.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>

#include "attention/registry.hpp"
#include "cli_render.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "experiment/sweep.hpp"
#include "experiment/sweep_export.hpp"

#ifdef ATTNSCOPE_HAVE_VIEWS
#include <QImage>

#include "scaling_plot.hpp"
#endif

namespace attnscope::cli {

namespace {

// Defaults chosen so the standard four-variant sweep over 1024..16384 fits in
// a few minutes on two cores while dense's n^2 work dominates its overheads.
constexpr int kDefaultHeads = 2;
constexpr int kDefaultD = 64;
constexpr int kDefaultRepeats = 3;
constexpr double kDefaultMinSeconds = 0.5;  // short points repeat until this much is measured

CancelToken* gCancel = nullptr;

extern "C" void onInterrupt(int) {
  if (gCancel) gCancel->cancel();  // an atomic store: safe in a handler
}

// Ctrl-C cancels the sweep once; SA_RESETHAND lets a second Ctrl-C end the process.
class InterruptGuard {
 public:
  explicit InterruptGuard(CancelToken& token) {
    gCancel = &token;
    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &previous_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &previous_, nullptr);
    gCancel = nullptr;
  }

 private:
  struct sigaction previous_ {};
};

void checkWritable(const std::string& flag, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) throw UsageError{flag + ": cannot write to '" + path + "'"};
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw Error(ErrorKind::Io, path + ": write failed");
}

std::string duration(double s) {
  char buf[32];
  if (s < 0) return "?";
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return buf;
}

void printPoint(const SweepPoint& p) {
  if (p.status != PointStatus::Done) {
    std::printf("  %-28s n=%-7lld %s\n", p.seriesKey().c_str(), static_cast<long long>(p.n), p.message.c_str());
  } else {
    std::string err = p.errorVsDense ? "  err " + std::to_string(*p.errorVsDense).substr(0, 8) : "";
    std::printf("  %-28s n=%-7lld %10.3f ms (min %.3f, max %.3f)  run %-10s %6.2f GFLOP/s%s\n", p.seriesKey().c_str(), static_cast<long long>(p.n),
                p.time.medianMs, p.time.minMs, p.time.maxMs, formatBytes(static_cast<double>(p.memory.runBytes)).c_str(), p.gflops, err.c_str());
  }
  std::fflush(stdout);
}

#ifdef ATTNSCOPE_HAVE_VIEWS
void writePlot(const SweepResult& r, const std::string& path) {
  ensureRenderingContext();
  ScalingPlotData data;
  data.title = "time and memory against n (" + std::to_string(r.spec.base.features.heads) + " heads, d = " + std::to_string(r.spec.base.features.d) +
               (r.spec.base.attention.causal ? ", causal" : "") + ")";
  for (const SweepSeries& s : r.series) {
    ScalingSeries line;
    line.label = s.key;
    line.timeExponent = s.time.valid() ? s.time.exponent : std::nan("");
    line.memoryExponent = s.memory.valid() ? s.memory.exponent : std::nan("");
    for (const SweepPoint& p : r.points) {
      if (p.status != PointStatus::Done || p.seriesKey() != s.key) continue;
      line.n.push_back(static_cast<double>(p.n));
      line.timeMs.push_back(p.time.medianMs);
      line.memoryBytes.push_back(static_cast<double>(p.memory.runBytes));
    }
    data.series.push_back(std::move(line));
  }
  const QImage image = renderScalingPlot(data);
  if (!image.save(QString::fromStdString(path), "PNG")) throw Error(ErrorKind::Io, path + ": could not write the plot");
}
#endif

}  // namespace

std::string sweepUsage() {
  return "sweep flags:\n"
         "  --variants A,B,C     variants to sweep (required; see info)\n"
         "  --lengths SPEC       FROM:TO[:xF|:+S] or N1,N2,... (default 1024:16384, doubling)\n"
         "  --param [V.]NAME=VALUES  a parameter: one value fixes it, FROM:TO[:xF|:+S] or A,B,C sweeps it\n"
         "                       (applies to every selected variant that has NAME, or only to V)\n"
         "  --sample NAME --seed S --heads H --d D --positions P --untied --causal   as for run\n"
         "                       (sweep defaults: heads 2, d 64)\n"
         "  --backend NAME       cpu (default) or cuda\n"
         "  --repeats R          timed repeats per point after --warmup W (defaults 3 and 1)\n"
         "  --min-time S         repeat short points until S seconds are measured (default 0.5, at most 50 repeats; 0: off)\n"
         "  --memory-budget B    bytes a point may use (default 80% of free memory); points over it are skipped\n"
         "  --no-error           skip the error against dense\n"
         "  --error-max-n N      longest n at which the dense reference is computed (default 16384)\n"
         "  --out-csv FILE       one row per point\n"
         "  --out-json FILE      points, fitted exponents per series, and the spec\n"
         "  --plot FILE.png      log-log time and memory against n with O(n) and O(n^2) guides\n"
         "Ctrl-C stops after the current run and writes what finished (exit status 130).\n";
}

int runSweepCommand(Args& args) {
  SweepSpec spec;
  spec.base.features.heads = kDefaultHeads;
  spec.base.features.d = kDefaultD;
  spec.base.repeats = kDefaultRepeats;
  spec.base.minMeasureSeconds = kDefaultMinSeconds;
  spec.lengths = parseLengths("1024:16384");
  std::string outCsv, outJson, plot;
  bool variantsGiven = false;
  while (!args.empty()) {
    const std::string flag = args.nextFlag();
    auto core = [&](auto parse) {
      try {
        return parse(args.value(flag));
      } catch (const Error& e) {
        throw UsageError{flag + ": " + e.what()};
      }
    };
    if (flag == "--variants") {
      spec.variants = core([](const std::string& v) {
        std::vector<std::string> out = parseValues(v);
        for (size_t i = 0; i < out.size(); ++i) {
          VariantRegistry::instance().get(out[i]);
          if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), out[i]) != out.begin() + static_cast<std::ptrdiff_t>(i))
            throw Error(ErrorKind::InvalidArgument, "variant '" + out[i] + "' is listed twice");
        }
        return out;
      });
      variantsGiven = true;
    } else if (flag == "--lengths") {
      spec.lengths = core([](const std::string& v) {
        std::vector<int64_t> out = parseLengths(v);
        if (out.size() > 64) throw Error(ErrorKind::InvalidArgument, "at most 64 lengths, got " + std::to_string(out.size()));
        return out;
      });
    } else if (flag == "--param") {
      spec.params.push_back(core(parseParamAxis));
    } else if (flag == "--sample") spec.base.sample = args.value(flag);
    else if (flag == "--seed") { spec.base.features.seed = static_cast<uint64_t>(args.intValue(flag, 0, INT64_MAX)); spec.base.sampleSeed = spec.base.features.seed; }
    else if (flag == "--heads") spec.base.features.heads = static_cast<int>(args.intValue(flag, limits::kHeads));
    else if (flag == "--d") spec.base.features.d = static_cast<int>(args.intValue(flag, limits::kHeadWidth));
    else if (flag == "--positions") spec.base.features.positions = core(parsePositions);
    else if (flag == "--untied") spec.base.features.tiedQK = false;
    else if (flag == "--causal") spec.base.attention.causal = true;
    else if (flag == "--backend") spec.base.backend = args.value(flag);
    else if (flag == "--repeats") spec.base.repeats = static_cast<int>(args.intValue(flag, limits::kRepeats));
    else if (flag == "--warmup") spec.base.warmup = static_cast<int>(args.intValue(flag, limits::kWarmup));
    else if (flag == "--min-time") spec.base.minMeasureSeconds = args.doubleValue(flag, 0, 60);
    else if (flag == "--memory-budget") spec.base.memoryBudgetBytes = args.bytesValue(flag);
    else if (flag == "--no-error") spec.errorVsDense = false;
    else if (flag == "--error-max-n") spec.errorMaxN = args.intValue(flag, 1, int64_t{1} << 24);
    else if (flag == "--out-csv") outCsv = args.value(flag);
    else if (flag == "--out-json") outJson = args.value(flag);
    else if (flag == "--plot") plot = args.value(flag);
    else throw UsageError{"sweep: unknown flag " + flag};
  }
  if (!variantsGiven) throw UsageError{"sweep: --variants is required (e.g. --variants dense,sliding_window)"};
  for (int64_t n : spec.lengths)
    if (n > (int64_t{1} << 24)) throw UsageError{"--lengths: " + std::to_string(n) + " is out of range [1, 16777216]"};
  BackendRegistry::instance().get(spec.base.backend);  // unknown names fail now, with the known ones
  try {
    validateSweep(spec);
  } catch (const Error& e) {
    throw UsageError{std::string("--param: ") + e.what()};
  }
  for (const auto& [flag, path] : {std::pair{"--out-csv", outCsv}, {"--out-json", outJson}, {"--plot", plot}})
    if (!path.empty()) checkWritable(flag, path);
  if (!plot.empty() && !renderingAvailable()) throw UsageError{"--plot: this build has no views (configure with ATTNSCOPE_GUI=ON)"};

  CancelToken cancel;
  InterruptGuard interrupts(cancel);
  const bool tty = isatty(fileno(stderr));
  SweepCallbacks callbacks;
  callbacks.cancel = &cancel;
  callbacks.progress = [&](const SweepProgress& p) {
    if (!tty) return;
    std::fprintf(stderr, "\r\033[K[%d/%d] %s  elapsed %s, about %s left", p.done, p.total, p.current.c_str(), duration(p.elapsedSeconds).c_str(),
                 duration(p.remainingSeconds).c_str());
    if (p.current.empty()) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
  callbacks.pointDone = [&](const SweepPoint& p) {
    if (tty) std::fputs("\r\033[K", stderr);
    printPoint(p);
  };
  std::printf("sweep: %zu variants x %zu lengths, %d heads, d = %d, %d warm-up + %d repeats (more until %.2g s measured), %s\n", spec.variants.size(),
              spec.lengths.size(), spec.base.features.heads, spec.base.features.d, spec.base.warmup, spec.base.repeats, spec.base.minMeasureSeconds,
              spec.base.backend.c_str());
  const SweepResult result = runSweep(spec, callbacks);

  std::printf("\n%s", fieldTable(result).c_str());
  std::printf("memory: %s\n", kSweepMemoryDefinition);
  std::printf("%d of %d points in %.1f s%s\n", static_cast<int>(result.points.size()), result.planned, result.wallSeconds,
              result.cancelled ? " (cancelled: the files hold the finished points)" : "");
  if (!outCsv.empty()) writeText(outCsv, sweepToCsv(result));
  if (!outJson.empty()) writeText(outJson, sweepToJson(result).dump(2) + "\n");
#ifdef ATTNSCOPE_HAVE_VIEWS
  if (!plot.empty()) writePlot(result, plot);
#endif
  if (result.cancelled) {
    std::fprintf(stderr, "attnscope-cli: sweep cancelled after %d of %d points\n", static_cast<int>(result.points.size()), result.planned);
    return 130;
  }
  return 0;
}

}  // namespace attnscope::cli
