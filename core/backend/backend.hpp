// A backend runs an AttentionSpec on Q/K/V and reports what it measured.
// The CPU backend lives in backend/cpu; the CUDA backend in kernels/.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/variant.hpp"
#include "profiling/trace.hpp"
#include "sequence/sequence.hpp"

namespace attnscope {

class HeadOperator;

struct DeviceInfo {
  std::string name;
  int64_t totalBytes = 0;
  int64_t freeBytes = 0;
  std::string detail;  // compute capability, cores, ...
};

struct BackendStatus {
  bool built = true;      // compiled into this binary
  bool available = true;  // usable on this machine
  std::string reason;     // why not, when not
  std::vector<DeviceInfo> devices;
};

struct RunOptions {
  const CancelToken* cancel = nullptr;
  std::optional<MapRequest> map;            // effective map of one head, if wanted
  const std::vector<std::string>* labels = nullptr;
  int threads = 0;                          // 0: all cores
  // Outputs of an earlier run (per head) whose storage the backend may take
  // for this run's outputs when the shapes agree: repeats then write into
  // memory already faulted in instead of fresh pages (a 32 MiB output per
  // head at n = 65536, d = 128 is past what the C library keeps for reuse).
  std::vector<Mat>* reuseOutputs = nullptr;
};

struct AttentionResult {
  std::vector<Mat> output;          // per head [n x dv]
  std::vector<HeadExtras> extras;   // per head
  std::optional<MapGrid> map;
  Trace trace;
  int64_t peakWorkspaceBytes = 0;   // tracked scratch beyond Q, K, V and O
  double elapsedMs = 0;             // forward pass over all heads, without the map
};

// A device's own roof, measured by the backend (the CPU's is measured by the
// benchmark itself, on the same GEMM the kernels use).
struct BackendRoof {
  std::string gemmPath;   // what the GEMM ran through, e.g. "cuBLAS bf16 (fp32 accumulation)"
  int64_t gemmSize = 0;   // square size
  double gemmGflops = 0;  // best of the repeats
  double gemmMedianGflops = 0;
  int64_t copyBytes = 0;  // bytes one copy pass moves (read + write)
  double copyGBs = 0;     // device-memory copy bandwidth, best of the repeats
  double copyMedianGBs = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual BackendStatus status() const = 0;
  // Whether this backend implements the spec (on inputs of this shape, when
  // shape is not null); why not in *why. run() refuses exactly what this
  // refuses: both ask the backend's kernel table.
  virtual bool supports(const AttentionSpec& spec, const Shape* shape, std::string* why) const = 0;
  // Free memory this backend may use (the memory guard's budget before its fraction).
  virtual int64_t freeMemoryBytes() const = 0;
  virtual int workers() const { return 1; }
  // Heads this backend runs side by side for the shape (Shape::lanes).
  virtual int headLanes(const Shape&) const { return 1; }
  // The device's GEMM rate at this precision and its copy bandwidth; nullopt
  // where the benchmark measures the roof itself (the CPU).
  virtual std::optional<BackendRoof> measureRoof(Precision, int64_t /*gemmSize*/, int /*repeats*/) const { return std::nullopt; }
  // Ids of the variants this backend has kernels for (its kernel table).
  virtual std::vector<std::string> kernelVariants() const = 0;
  virtual AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) = 0;
  // One head's effective operator A (A X, A^T Y, A over a region) computed on
  // this backend, for the analysis: maps, spectra and metrics of long
  // sequences. nullptr, with why, where the backend has none for the spec;
  // the analysis then uses the CPU's. The operator keeps its own copies of
  // what it needs; `host` (pool, meter, cancel) must outlive it.
  virtual std::unique_ptr<HeadOperator> headOperator(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels,
                                                     const ExecContext& host, std::string* why) const;
};

class BackendRegistry {
 public:
  static BackendRegistry& instance();
  void add(std::unique_ptr<Backend> backend);
  Backend* find(const std::string& name) const;
  Backend& get(const std::string& name) const;  // throws listing known names
  std::vector<Backend*> all() const;

 private:
  std::vector<std::unique_ptr<Backend>> backends_;
};

template <typename T>
struct RegisterBackend {
  RegisterBackend() { BackendRegistry::instance().add(std::make_unique<T>()); }
};

// Reads MemAvailable from /proc/meminfo (0 when unknown).
int64_t availableSystemMemory();

}  // namespace attnscope
