// The benchmark: this machine's own roof (SGEMM, memory triad), then every
// variant on a fixed preset, each point set against the roof and against
// dense at the same n. Results from different machines compare because the
// preset is fixed and every ratio is to the same run's roof.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attention/variant.hpp"
#include "experiment/exponent_fit.hpp"

namespace attnscope {

class ThreadPool;
struct CancelToken;

struct BenchPreset {
  std::string backend = "cpu";
  Precision precision = Precision::Fp32;
  std::vector<int64_t> lengths;  // n
  std::vector<int> dims;         // d (= dv)
  int heads = 8;
  int warmup = 1;
  int repeats = 3;
  double minMeasureSeconds = 0.5;  // short points repeat until this much is measured
  double runBudgetSeconds = 30;    // points whose predicted run exceeds this are skipped
  int64_t memoryBudgetBytes = 0;   // 0: the guard's default share of free memory
  int64_t gemmSize = 2048;         // square SGEMM of the roof
  int64_t triadFloats = int64_t{1} << 24;  // per array: 3 x 64 MiB, well beyond any last-level cache
  int roofRepeats = 5;
};

// The published preset: n = 1024..65536 doubling, d = 64 and 128, H = 8, each
// variant with its default parameters, the built-in document sample featurized
// with seed 1. quick: tiny sizes for tests.
BenchPreset benchPreset(bool quick);
// The same for a GPU backend: n = 4096..65536, d = 64 and 128, H = 8, bf16 (quick: tiny sizes).
BenchPreset gpuBenchPreset(bool quick);

struct MachineInfo {
  std::string cpuModel;  // /proc/cpuinfo "model name"
  int cores = 0;         // hardware threads
  int workers = 0;       // the CPU backend's pool
  std::string cpuIsa;    // best vector ISA the CPU reports (avx512f, avx2, sse2)
  std::string kernelIsa; // the path the CPU kernels and sgemm run on (cpu_isa.hpp)
  std::string eigenIsa;  // what Eigen was compiled for (the remaining Eigen products)
  std::string gemmPath;  // what the roof's SGEMM runs through
};
MachineInfo probeMachine();

struct RoofResult {
  std::string gemmPath;          // what the roof's GEMM ran through
  int64_t gemmSize = 0;
  double sgemmGflops = 0;        // best of the repeats: the roof
  double sgemmMedianGflops = 0;
  int64_t triadBytes = 0;        // bytes one triad pass moves (3 arrays, no write-allocate counted)
  double triadGBs = 0;           // best of the repeats
  double triadMedianGBs = 0;
};
// The CPU's roof through the pool, or the preset's backend's own (measureRoof);
// on a GPU the "triad" is a device-memory copy.
RoofResult measureRoof(const BenchPreset& preset, ThreadPool& pool);

// Square row-major SGEMM c = a b on every worker of the pool (the roof's path).
void roofSgemm(ThreadPool& pool, const float* a, const float* b, float* c, int64_t size);
// a[i] = b[i] + s c[i] on every worker of the pool.
void roofTriad(ThreadPool& pool, float* a, const float* b, const float* c, float s, int64_t count);

struct BenchPoint {
  std::string variant;
  int64_t n = 0;
  int d = 0;
  int heads = 0;
  bool done = false;
  std::string note;  // why it was skipped, or a warning
  double medianMs = 0, minMs = 0, maxMs = 0;
  int samples = 0;
  double pairs = 0, flops = 0, bytes = 0;  // the cost model's (all heads)
  double gflops = 0, gbPerS = 0;
  double roofRatio = 0, triadRatio = 0;
  // Measured workspace peak over the cost model's prediction (target <= 1.05; 0 when nothing was predicted).
  double workspaceRatio = 0;
  std::optional<double> relativeToDense;  // time / dense's time at the same n and d
};

struct BenchExponent {
  std::string variant;
  int d = 0;
  ExponentFit fit;
};

struct BenchResult {
  MachineInfo machine;
  BenchPreset preset;
  std::vector<std::string> variants;
  RoofResult roof;       // measured first; every ratio is to this one
  RoofResult roofAfter;  // measured again at the end: a drift shows the machine changed under the run
  std::vector<BenchPoint> points;
  std::vector<BenchExponent> exponents;
  double wallSeconds = 0;
  bool cancelled = false;
  // 1-minute load average (/proc/loadavg; -1 where unknown) before and after:
  // other work on the machine is what moves the roof during a run.
  double loadBefore = -1, loadAfter = -1;
};

double loadAverage();

// The arithmetic, separate so it can be checked on known numbers.
double gflopsOf(double flops, double ms);
double gbPerSOf(double bytes, double ms);
double ratioTo(double value, double roof);  // 0 when the roof is unknown
// GFLOP/s, GB/s and both ratios from the point's flops, bytes and median.
void deriveRates(BenchPoint& p, const RoofResult& roof);
// relativeToDense for every done point whose (n, d) has a done dense point.
void relateToDense(std::vector<BenchPoint>& points);
// Time exponent per (variant, d) over its done points.
std::vector<BenchExponent> fitBenchExponents(const std::vector<BenchPoint>& points);

struct BenchCallbacks {
  const CancelToken* cancel = nullptr;
  std::function<void(const RoofResult&)> roofDone;       // the first roof
  std::function<void(const RoofResult&)> roofAfterDone;  // the closing one
  std::function<void(const BenchPoint&)> pointDone;
};

// Roof first, then for each d and n one featurized input shared by every
// variant (dense first). Guard refusals, variant errors and over-budget
// points become skipped points with a note.
BenchResult runBench(const BenchPreset& preset, const std::vector<std::string>& variants, const BenchCallbacks& callbacks = {});

nlohmann::json benchToJson(const BenchResult& r);

}  // namespace attnscope
