#include "experiment/bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <thread>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/cancel.hpp"
#include "common/error.hpp"
#include "common/types.hpp"
#include "experiment/run.hpp"

namespace attnscope {

namespace {

double nowSeconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size();
  return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

// The vector ISA Eigen was compiled for: what the roof's SGEMM and the
// variants' Eigen products run with.
const char* eigenIsa() {
#if defined(EIGEN_VECTORIZE_AVX512)
  return "AVX-512";
#elif defined(EIGEN_VECTORIZE_AVX2)
  return "AVX2";
#elif defined(EIGEN_VECTORIZE_AVX)
  return "AVX";
#elif defined(EIGEN_VECTORIZE_SSE2)
  return "SSE2";
#else
  return "scalar";
#endif
}

}  // namespace

double loadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  if (!(in >> load)) return -1;
  return load;
}

BenchPreset gpuBenchPreset(bool quick) {
  BenchPreset p = benchPreset(quick);
  p.backend = "cuda";
  p.precision = Precision::Bf16;
  p.gemmSize = quick ? 512 : 8192;
  p.roofRepeats = quick ? 2 : 10;
  if (!quick) {
    p.lengths.clear();
    for (int64_t n = 4096; n <= 65536; n *= 2) p.lengths.push_back(n);
  } else {
    p.dims = {64};  // the flash kernel's widths are 32, 64 and 128
  }
  return p;
}

BenchPreset benchPreset(bool quick) {
  BenchPreset p;
  if (!quick) {
    for (int64_t n = 1024; n <= 65536; n *= 2) p.lengths.push_back(n);
    p.dims = {64, 128};
    return p;
  }
  p.lengths = {128, 256};
  p.dims = {16};
  p.heads = 2;
  p.warmup = 0;
  p.repeats = 1;
  p.minMeasureSeconds = 0;
  p.runBudgetSeconds = 5;
  p.gemmSize = 192;
  p.triadFloats = int64_t{1} << 18;
  p.roofRepeats = 2;
  return p;
}

MachineInfo probeMachine() {
  MachineInfo m;
  m.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  m.workers = ThreadPool::shared().size();
  std::ifstream in("/proc/cpuinfo");
  std::string line, flags;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" && m.cpuModel.empty()) m.cpuModel = value;
    if (key == "flags" && flags.empty()) flags = " " + value + " ";
  }
  if (m.cpuModel.empty()) m.cpuModel = "unknown";
  m.cpuIsa = flags.find(" avx512f ") != std::string::npos ? "avx512f"
             : flags.find(" avx2 ") != std::string::npos ? "avx2"
             : flags.find(" sse2 ") != std::string::npos ? "sse2"
                                                         : "unknown";
  m.kernelIsa = cpuIsaName();
  m.eigenIsa = eigenIsa();
  m.gemmPath = std::string("sgemm (backend/cpu/gemm.hpp), ") + m.kernelIsa + " kernels on every worker";
  return m;
}

void roofSgemm(ThreadPool& pool, const float* a, const float* b, float* c, int64_t size) {
  // sgemm splits C over the pool itself, sharing one packed B between workers.
  sgemm(false, false, size, size, size, 1.0f, a, size, b, size, 0.0f, c, size, &pool);
}

void roofTriad(ThreadPool& pool, float* a, const float* b, const float* c, float s, int64_t count) {
  const int64_t parts = pool.size();
  pool.parallelFor(0, parts, [&](int64_t part, int) {
    const int64_t i0 = part * count / parts, i1 = (part + 1) * count / parts;
    for (int64_t i = i0; i < i1; ++i) a[i] = b[i] + s * c[i];
  });
}

RoofResult measureRoof(const BenchPreset& preset, ThreadPool& pool) {
  RoofResult r;
  const int repeats = std::max(1, preset.roofRepeats);
  if (preset.backend != "cpu") {
    const std::optional<BackendRoof> device = BackendRegistry::instance().get(preset.backend).measureRoof(preset.precision, preset.gemmSize, repeats);
    if (!device) throw Error(ErrorKind::Unsupported, "backend '" + preset.backend + "' cannot measure its roof");
    r.gemmPath = device->gemmPath;
    r.gemmSize = device->gemmSize;
    r.sgemmGflops = device->gemmGflops;
    r.sgemmMedianGflops = device->gemmMedianGflops;
    r.triadBytes = device->copyBytes;
    r.triadGBs = device->copyGBs;
    r.triadMedianGBs = device->copyMedianGBs;
    return r;
  }
  r.gemmPath = std::string("sgemm (backend/cpu/gemm.hpp), ") + cpuIsaName() + " kernels on every worker";
  {
    const int64_t s = preset.gemmSize;
    r.gemmSize = s;
    Mat a = Mat::Random(s, s), b = Mat::Random(s, s), c(s, s);
    roofSgemm(pool, a.data(), b.data(), c.data(), s);  // warm-up: pages, packing buffers
    std::vector<double> rates;
    for (int i = 0; i < repeats; ++i) {
      const double t0 = nowSeconds();
      roofSgemm(pool, a.data(), b.data(), c.data(), s);
      rates.push_back(gflopsOf(2.0 * s * s * s, (nowSeconds() - t0) * 1000.0));
    }
    r.sgemmGflops = *std::max_element(rates.begin(), rates.end());
    r.sgemmMedianGflops = median(rates);
  }
  {
    const int64_t count = preset.triadFloats;
    std::vector<float> a(static_cast<size_t>(count)), b(static_cast<size_t>(count), 1.0f), c(static_cast<size_t>(count), 2.0f);
    r.triadBytes = 3 * 4 * count;
    roofTriad(pool, a.data(), b.data(), c.data(), 0.5f, count);
    std::vector<double> rates;
    for (int i = 0; i < repeats * 2; ++i) {
      const double t0 = nowSeconds();
      roofTriad(pool, a.data(), b.data(), c.data(), 0.5f + 1e-3f * static_cast<float>(i), count);
      rates.push_back(gbPerSOf(static_cast<double>(r.triadBytes), (nowSeconds() - t0) * 1000.0));
    }
    if (a[static_cast<size_t>(count / 2)] < 0) r.triadBytes = 0;  // keeps the stores observable
    r.triadGBs = *std::max_element(rates.begin(), rates.end());
    r.triadMedianGBs = median(rates);
  }
  return r;
}

double gflopsOf(double flops, double ms) { return ms > 0 ? flops / (ms * 1e-3) / 1e9 : 0.0; }
double gbPerSOf(double bytes, double ms) { return ms > 0 ? bytes / (ms * 1e-3) / 1e9 : 0.0; }
double ratioTo(double value, double roof) { return roof > 0 ? value / roof : 0.0; }

void deriveRates(BenchPoint& p, const RoofResult& roof) {
  p.gflops = gflopsOf(p.flops, p.medianMs);
  p.gbPerS = gbPerSOf(p.bytes, p.medianMs);
  p.roofRatio = ratioTo(p.gflops, roof.sgemmGflops);
  p.triadRatio = ratioTo(p.gbPerS, roof.triadGBs);
}

void relateToDense(std::vector<BenchPoint>& points) {
  std::map<std::pair<int64_t, int>, double> dense;
  for (const BenchPoint& p : points)
    if (p.done && p.variant == "dense" && p.medianMs > 0) dense[{p.n, p.d}] = p.medianMs;
  for (BenchPoint& p : points) {
    p.relativeToDense.reset();
    const auto it = dense.find({p.n, p.d});
    if (p.done && it != dense.end()) p.relativeToDense = p.medianMs / it->second;
  }
}

std::vector<BenchExponent> fitBenchExponents(const std::vector<BenchPoint>& points) {
  std::vector<BenchExponent> out;
  std::vector<std::pair<std::string, int>> keys;
  for (const BenchPoint& p : points)
    if (std::find(keys.begin(), keys.end(), std::pair{p.variant, p.d}) == keys.end()) keys.emplace_back(p.variant, p.d);
  for (const auto& [variant, d] : keys) {
    std::vector<double> n, t;
    for (const BenchPoint& p : points)
      if (p.done && p.variant == variant && p.d == d) {
        n.push_back(static_cast<double>(p.n));
        t.push_back(p.medianMs);
      }
    out.push_back(BenchExponent{variant, d, fitExponent(n, t)});
  }
  return out;
}

BenchResult runBench(const BenchPreset& preset, const std::vector<std::string>& variants, const BenchCallbacks& callbacks) {
  const double started = nowSeconds();
  BenchResult result;
  result.machine = probeMachine();
  result.preset = preset;
  result.variants = variants;
  std::stable_partition(result.variants.begin(), result.variants.end(), [](const std::string& id) { return id == "dense"; });
  for (const std::string& id : result.variants) VariantRegistry::instance().get(id);  // unknown ids fail before any work
  result.loadBefore = loadAverage();

  result.roof = measureRoof(preset, ThreadPool::shared());
  if (callbacks.roofDone) callbacks.roofDone(result.roof);

  auto emit = [&](BenchPoint p) {
    // Dense runs first at each (n, d), so the ratio is known when the point is reported.
    for (const BenchPoint& q : result.points)
      if (p.done && q.done && q.variant == "dense" && q.n == p.n && q.d == p.d && q.medianMs > 0) p.relativeToDense = p.medianMs / q.medianMs;
    if (p.done && p.variant == "dense") p.relativeToDense = 1.0;
    if (callbacks.pointDone) callbacks.pointDone(p);
    result.points.push_back(std::move(p));
  };
  try {
    for (int d : preset.dims) {
      std::map<std::string, std::pair<double, double>> lastRate;  // variant -> (flops, ms) of its last done point
      for (int64_t n : preset.lengths) {
        checkCancelled(callbacks.cancel);
        RunSpec base;
        base.sample = "document";
        base.n = n;
        base.features.heads = preset.heads;
        base.features.d = d;
        base.warmup = preset.warmup;
        base.repeats = preset.repeats;
        base.minMeasureSeconds = preset.minMeasureSeconds;
        base.memoryBudgetBytes = preset.memoryBudgetBytes;
        base.attention = makeSpec(result.variants.empty() ? "dense" : result.variants.front());
        Sequence seq;
        Qkv qkv;
        std::string inputRefusal;
        try {
          seq = loadInput(base, nullptr);
          qkv = prepareQkv(base, seq, nullptr, callbacks.cancel);
        } catch (const MemoryRefused& e) {
          inputRefusal = std::string("skipped: ") + e.what();
        }
        for (const std::string& id : result.variants) {
          checkCancelled(callbacks.cancel);
          BenchPoint p;
          p.variant = id;
          p.n = n;
          p.d = d;
          p.heads = preset.heads;
          if (!inputRefusal.empty()) {
            p.note = inputRefusal;
            emit(std::move(p));
            continue;
          }
          RunSpec spec = base;
          spec.backend = preset.backend;
          spec.attention = makeSpec(id);
          spec.attention.precision = preset.precision;
          const Variant& variant = VariantRegistry::instance().get(id);
          try {
            const Shape shape{n, d, d, preset.heads, false, result.machine.workers};
            variant.validate(spec.attention, shape);
            const CostEstimate cost = variant.cost(spec.attention, shape);
            p.pairs = cost.pairs;
            p.flops = cost.flops;
            p.bytes = cost.bytesRead + cost.bytesWritten;
            // Predict this run from the variant's last rate and the cost model's flops.
            const auto last = lastRate.find(id);
            if (last != lastRate.end() && last->second.first > 0) {
              const double predictedS = last->second.second * 1e-3 * cost.flops / last->second.first;
              if (predictedS > preset.runBudgetSeconds) {
                char buf[160];
                std::snprintf(buf, sizeof buf, "skipped: a run would take about %.0f s, over the %.0f s budget", predictedS, preset.runBudgetSeconds);
                p.note = buf;
                emit(std::move(p));
                continue;
              }
            }
            const RunResult r = runAttention(spec, qkv, seq.labels, RunCallbacks{callbacks.cancel, {}});
            p.done = true;
            p.medianMs = r.time.medianMs;
            p.minMs = r.time.minMs;
            p.maxMs = r.time.maxMs;
            p.samples = static_cast<int>(r.time.samplesMs.size());
            p.workspaceRatio = r.memory.workspacePredictedBytes > 0 ? static_cast<double>(r.memory.workspacePeakBytes) / r.memory.workspacePredictedBytes : 0.0;
            deriveRates(p, result.roof);
            lastRate[id] = {p.flops, p.medianMs};
          } catch (const MemoryRefused& e) {
            p.note = std::string("skipped: ") + e.what();
          } catch (const Error& e) {
            if (e.kind() == ErrorKind::Cancelled) throw;
            p.note = std::string("skipped: ") + e.what();
          }
          emit(std::move(p));
        }
      }
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Cancelled) throw;
    result.cancelled = true;
  }
  if (!result.cancelled) {
    result.roofAfter = measureRoof(preset, ThreadPool::shared());
    if (callbacks.roofAfterDone) callbacks.roofAfterDone(result.roofAfter);
  }
  result.loadAfter = loadAverage();
  relateToDense(result.points);
  result.exponents = fitBenchExponents(result.points);
  result.wallSeconds = nowSeconds() - started;
  return result;
}

namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

nlohmann::json benchToJson(const BenchResult& r) {
  nlohmann::json j;
  j["machine"] = {{"cpu_model", r.machine.cpuModel},
                  {"cores", r.machine.cores},
                  {"workers", r.machine.workers},
                  {"cpu_isa", r.machine.cpuIsa},
                  {"kernel_isa", r.machine.kernelIsa},
                  {"eigen_isa", r.machine.eigenIsa},
                  {"gemm_path", r.machine.gemmPath}};
  const BenchPreset& p = r.preset;
  j["preset"] = {{"backend", p.backend},
                 {"precision", precisionName(p.precision)},
                 {"lengths", p.lengths},
                 {"dims", p.dims},
                 {"heads", p.heads},
                 {"warmup", p.warmup},
                 {"repeats", p.repeats},
                 {"min_measure_seconds", p.minMeasureSeconds},
                 {"run_budget_seconds", p.runBudgetSeconds},
                 {"memory_budget_bytes", p.memoryBudgetBytes},
                 {"input", "document sample, featurized (sinusoidal positions, seed 1), tied Q/K"},
                 {"params", "each variant's defaults"},
                 {"causal", false},
                 {"gemm_size", p.gemmSize},
                 {"triad_floats", p.triadFloats},
                 {"roof_repeats", p.roofRepeats}};
  j["variants"] = r.variants;
  j["roof"] = {{"gemm_path", r.roof.gemmPath},
               {"sgemm_gflops", number(r.roof.sgemmGflops)},
               {"sgemm_median_gflops", number(r.roof.sgemmMedianGflops)},
               {"gemm_size", r.roof.gemmSize},
               {"triad_gb_per_s", number(r.roof.triadGBs)},
               {"triad_median_gb_per_s", number(r.roof.triadMedianGBs)},
               {"triad_bytes", r.roof.triadBytes}};
  j["roof_after"] = {{"sgemm_gflops", number(r.roofAfter.sgemmGflops)},
                     {"sgemm_median_gflops", number(r.roofAfter.sgemmMedianGflops)},
                     {"triad_gb_per_s", number(r.roofAfter.triadGBs)},
                     {"triad_median_gb_per_s", number(r.roofAfter.triadMedianGBs)}};
  j["points"] = nlohmann::json::array();
  for (const BenchPoint& pt : r.points) {
    nlohmann::json e = {{"variant", pt.variant}, {"n", pt.n},         {"d", pt.d},         {"heads", pt.heads},
                        {"status", pt.done ? "done" : "skipped"},      {"note", pt.note},   {"pairs", number(pt.pairs)},
                        {"flops", number(pt.flops)},                   {"bytes", number(pt.bytes)}};
    if (pt.done) {
      e["median_ms"] = number(pt.medianMs);
      e["min_ms"] = number(pt.minMs);
      e["max_ms"] = number(pt.maxMs);
      e["samples"] = pt.samples;
      e["gflops"] = number(pt.gflops);
      e["roof_ratio"] = number(pt.roofRatio);
      e["gb_per_s"] = number(pt.gbPerS);
      e["triad_ratio"] = number(pt.triadRatio);
      e["workspace_ratio"] = number(pt.workspaceRatio);
    }
    e["relative_to_dense"] = pt.relativeToDense ? number(*pt.relativeToDense) : nlohmann::json(nullptr);
    j["points"].push_back(std::move(e));
  }
  j["exponents"] = nlohmann::json::array();
  for (const BenchExponent& x : r.exponents)
    j["exponents"].push_back({{"variant", x.variant},
                              {"d", x.d},
                              {"time_exponent", x.fit.valid() ? number(x.fit.exponent) : nlohmann::json(nullptr)},
                              {"r2", x.fit.valid() ? number(x.fit.r2) : nlohmann::json(nullptr)},
                              {"points", x.fit.points}});
  j["load_average"] = {{"before", number(r.loadBefore)}, {"after", number(r.loadAfter)}};
  j["wall_seconds"] = r.wallSeconds;
  j["cancelled"] = r.cancelled;
  return j;
}

}  // namespace attnscope
