// The CUDA backend. Reports itself unavailable (and why) on machines without
// a GPU or driver; runs the variants its kernel table lists, and says which it
// does not support rather than falling back silently: supports() and run()
// ask the same table.
#include <cuda_runtime.h>

#include <chrono>
#include <cmath>
#include <optional>

#include "backend/backend.hpp"
#include "backend/kernel_table.hpp"
#include "cuda_head_operator.hpp"
#include "flash_probe_operator.hpp"
#include "cuda_kernel_table.hpp"
#include "cuda_lowrank.hpp"
#include "common/error.hpp"
#include "device_buffer.hpp"
#include "kernel_params.hpp"
#include "flash_launch.hpp"
#include "profiling/profiler.hpp"

namespace attnscope::kernels {

namespace {

struct Probe {
  int count = 0;
  std::string reason;
};

Probe probeDevices() {
  Probe p;
  int count = 0;  // cudaGetDeviceCount leaves it untouched when there is no driver
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    p.reason = std::string("no usable CUDA device: ") + cudaGetErrorString(status);
    cudaGetLastError();  // clear the sticky error
    return p;
  }
  if (count == 0) p.reason = "no CUDA device found";
  p.count = count;
  return p;
}

// The plain fp32 dense kernel (one thread per query row): the fallback for
// head widths the flash kernel has no traits for.
class DenseFp32Kernel final : public CudaKernel {
 public:
  static bool accepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
    if (spec.precision != Precision::Fp32) {
      *why = std::string("precision ") + precisionName(spec.precision) + " is not implemented on cuda yet (fp32 only)";
      return false;
    }
    if (shape && (shape->d > DenseTraits::kMaxWidth || shape->dv > DenseTraits::kMaxWidth)) {
      *why = "the cuda dense kernel supports head widths up to " + std::to_string(DenseTraits::kMaxWidth) + " (got d = " + std::to_string(shape->d) +
             ", dv = " + std::to_string(shape->dv) + ")";
      return false;
    }
    return true;
  }

  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {

    MemoryMeter meter;
    Profiler profiler(&meter);
    AttentionResult result;
    const size_t n = static_cast<size_t>(qkv.n()), d = static_cast<size_t>(qkv.d()), dv = static_cast<size_t>(qkv.dv());
    DeviceBuffer q(&meter, n * d), k(&meter, n * d), v(&meter, n * dv), o(&meter, n * dv);
    cudaEvent_t start, stop;
    checkCuda(cudaEventCreate(&start), "cudaEventCreate");
    checkCuda(cudaEventCreate(&stop), "cudaEventCreate");
    double kernelMs = 0;
    for (int h = 0; h < qkv.heads(); ++h) {
      if (options.cancel) options.cancel->check();
      checkCuda(cudaMemcpy(q.get(), qkv.q[h].data(), q.bytes(), cudaMemcpyHostToDevice), "copy Q");
      checkCuda(cudaMemcpy(k.get(), qkv.k[h].data(), k.bytes(), cudaMemcpyHostToDevice), "copy K");
      checkCuda(cudaMemcpy(v.get(), qkv.v[h].data(), v.bytes(), cudaMemcpyHostToDevice), "copy V");
      DenseParams p;
      p.q = q.get();
      p.k = k.get();
      p.v = v.get();
      p.o = o.get();
      p.n = static_cast<int>(n);
      p.d = static_cast<int>(d);
      p.dv = static_cast<int>(dv);
      p.scale = 1.0f / std::sqrt(static_cast<float>(d));
      p.causal = spec.causal;
      const int64_t hostStart = profiler.nowNs();
      checkCuda(cudaEventRecord(start), "cudaEventRecord");
      checkCuda(static_cast<cudaError_t>(launchDenseForward(p)), "dense kernel launch");
      checkCuda(cudaEventRecord(stop), "cudaEventRecord");
      checkCuda(cudaEventSynchronize(stop), "dense kernel");
      float ms = 0;
      cudaEventElapsedTime(&ms, start, stop);
      kernelMs += ms;
      Span span;
      span.name = "dense forward (head " + std::to_string(h) + ")";
      span.category = SpanCategory::Kernel;
      span.device = "cuda:0";
      span.startNs = hostStart;
      span.durationNs = static_cast<int64_t>(ms * 1e6);
      span.flops = static_cast<double>(n) * static_cast<double>(n) * 2.0 * static_cast<double>(d + dv) / (spec.causal ? 2.0 : 1.0);
      profiler.record(span);
      Mat out(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(dv));
      checkCuda(cudaMemcpy(out.data(), o.get(), o.bytes(), cudaMemcpyDeviceToHost), "copy O");
      result.output.push_back(std::move(out));
      result.extras.emplace_back();
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    // Device workspace beyond Q, K, V and O: this kernel keeps its state in registers and shared memory.
    result.peakWorkspaceBytes = 0;
    result.elapsedMs = kernelMs;
    result.trace = profiler.take();
    result.trace.peakBytes = meter.peak();
    return result;
  }
};

class CudaBackend final : public Backend {
 public:
  std::string name() const override { return "cuda"; }

  BackendStatus status() const override {
    BackendStatus s;
    const Probe probe = probeDevices();
    s.available = probe.count > 0;
    s.reason = probe.reason;
    for (int i = 0; i < probe.count; ++i) {
      cudaDeviceProp prop{};
      if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
      DeviceInfo d;
      d.name = prop.name;
      d.totalBytes = static_cast<int64_t>(prop.totalGlobalMem);
      d.detail = "compute capability " + std::to_string(prop.major) + "." + std::to_string(prop.minor) + ", " +
                 std::to_string(prop.multiProcessorCount) + " SMs";
      // The 16-bit flash kernel launches pick on this device (resolvedFlashPath).
      const bool wgmmaHere = flashWgmmaBuilt() && prop.major == 9 && prop.minor == 0;
      if (wgmmaHere && configuredFlashPath() == FlashPath::Wgmma) d.detail += "; fp16/bf16 flash kernel: wgmma (ATTNSCOPE_CUDA_FLASH=wgmma)";
      else if (wgmmaHere) d.detail += "; fp16/bf16 flash kernel: mma.sync (wgmma is built: ATTNSCOPE_CUDA_FLASH=wgmma selects it)";
      else d.detail += "; fp16/bf16 flash kernel: mma.sync";
      if (i == 0) {
        size_t freeBytes = 0, totalBytes = 0;
        if (cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess) d.freeBytes = static_cast<int64_t>(freeBytes);
      }
      s.devices.push_back(d);
    }
    return s;
  }

  bool supports(const AttentionSpec& spec, const Shape* shape, std::string* why) const override {
    return cudaKernels().choose(spec, shape, why) != nullptr;
  }

  std::vector<std::string> kernelVariants() const override { return cudaKernels().variants(); }

  std::optional<BackendRoof> measureRoof(Precision precision, int64_t gemmSize, int repeats) const override {
    const BackendStatus st = status();
    if (!st.available) throw Error(ErrorKind::Unavailable, "cuda backend unavailable: " + st.reason);
    return measureCudaRoof(precision, gemmSize, repeats);
  }

  int64_t freeMemoryBytes() const override {
    if (probeDevices().count == 0) return 0;
    size_t freeBytes = 0, totalBytes = 0;
    if (cudaMemGetInfo(&freeBytes, &totalBytes) != cudaSuccess) return 0;
    return static_cast<int64_t>(freeBytes);
  }

  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) override {
    const BackendStatus st = status();
    if (!st.available) throw Error(ErrorKind::Unavailable, "cuda backend unavailable: " + st.reason);
    qkv.checkShapes();
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, 1};
    std::string why;
    const CudaKernel* kernel = cudaKernels().choose(spec, &shape, &why);
    if (!kernel) throw Error(ErrorKind::Unsupported, "cuda backend: " + why);
    // The map comes from the head's operator on the device, built after the
    // timed forward (its uploads stay out of the run's memory); a variant
    // without one is refused before anything runs.
    std::optional<ProbeInputs> mapInputs;
    if (options.map) {
      if (options.map->head < 0 || options.map->head >= qkv.heads())
        throw Error(ErrorKind::InvalidArgument, "map head " + std::to_string(options.map->head) + " outside [0, " + std::to_string(qkv.heads()) + ")");
      mapInputs = flashProbeInputs(spec, qkv, options.map->head, options.labels, &why);
      if (!mapInputs) throw Error(ErrorKind::Unsupported, "cuda backend: no map: " + why);
    }
    AttentionResult result = kernel->run(spec, qkv, options);
    if (mapInputs) {
      ExecContext host;
      host.cancel = options.cancel;
      MapGrid grid = MapGrid::forRequest(*options.map, qkv.n(), qkv.n());
      grid.head = options.map->head;
      makeFlashProbeOperator(cudaProbeDevice(), spec, std::move(*mapInputs), host)->map(grid);
      result.map = std::move(grid);
    }
    return result;
  }

  std::unique_ptr<HeadOperator> headOperator(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels,
                                             const ExecContext& host, std::string* why) const override {
    const BackendStatus st = status();
    if (!st.available) {
      if (why) *why = "cuda backend unavailable: " + st.reason;
      return nullptr;
    }
    return cudaHeadOperator(spec, qkv, head, labels, host, why);
  }
};

const RegisterBackend<CudaBackend> registration;

}  // namespace

KernelTable<CudaKernel>& cudaKernels() {
  static KernelTable<CudaKernel> table("cuda");
  static const bool filled = [] {
    addFlashKernels(table);
    addHierarchicalKernel(table);
    addTransformerXlKernel(table);
    addMemorySlotsKernel(table);
    addTopkDynamicKernel(table);
    addLowRankKernels(table);
    table.add("dense", std::make_shared<DenseFp32Kernel>(), &DenseFp32Kernel::accepts);
    return true;
  }();
  (void)filled;
  return table;
}

int deviceComputeCapability() {
  static const int cc = [] {
    if (probeDevices().count == 0) return 0;
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return 0;
    return prop.major * 10 + prop.minor;
  }();
  return cc;
}

}  // namespace attnscope::kernels
