// The CPU backend: each variant's CPU kernel from the kernel table
// (head_kernel.hpp), all cores through the pool, workspace tracked by a
// MemoryMeter, spans from the steady clock.
#include <chrono>
#include <thread>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

  BackendStatus status() const override {
    BackendStatus s;
    DeviceInfo dev;
    dev.name = "host CPU";
    dev.freeBytes = availableSystemMemory();
    dev.detail = std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " hardware threads, " + cpuIsaName() + " kernels";
    s.devices.push_back(dev);
    return s;
  }

  bool supports(const AttentionSpec& spec, const Shape* shape, std::string* why) const override {
    return findCpuKernel(spec, shape, why) != nullptr;
  }

  int64_t freeMemoryBytes() const override { return availableSystemMemory(); }
  int workers() const override { return ThreadPool::shared().size(); }
  std::vector<std::string> kernelVariants() const override { return cpuKernels().variants(); }

  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) override {
    qkv.checkShapes();
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, workers()};
    const HeadKernel& kernel = cpuKernel(spec, &shape);
    VariantRegistry::instance().get(spec.variant).validate(spec, shape);

    MemoryMeter meter;
    Profiler profiler(&meter);
    ExecContext ctx;
    ctx.pool = &ThreadPool::shared();
    ctx.meter = &meter;
    ctx.profiler = &profiler;
    ctx.cancel = options.cancel;

    AttentionResult result;
    const auto start = std::chrono::steady_clock::now();
    for (int h = 0; h < qkv.heads(); ++h) {
      ctx.checkCancelled();
      HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], options.labels, h};
      Mat out(qkv.n(), qkv.dv());
      ScopedSpan span(&profiler, "head " + std::to_string(h), SpanCategory::Host);
      result.extras.push_back(kernel.apply(ctx, spec, in, in.v, out));
      result.output.push_back(std::move(out));
    }
    result.elapsedMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    result.peakWorkspaceBytes = meter.peak();

    if (options.map) {
      const int h = options.map->head;
      if (h < 0 || h >= qkv.heads())
        throw Error(ErrorKind::InvalidArgument, "map head " + std::to_string(h) + " outside [0, " + std::to_string(qkv.heads()) + ")");
      MapGrid grid = MapGrid::forRequest(*options.map, qkv.n(), qkv.n());
      grid.head = h;
      HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], options.labels, h};
      ScopedSpan span(&profiler, "map probe", SpanCategory::Host);
      kernel.map(ctx, spec, in, grid);
      result.map = std::move(grid);
    }
    result.trace = profiler.take();
    return result;
  }
};

const RegisterBackend<CpuBackend> registration;

}  // namespace

}  // namespace attnscope
