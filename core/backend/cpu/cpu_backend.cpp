// The CPU backend: each variant's CPU kernel from the kernel table
// (head_kernel.hpp), all cores through the pool, workspace tracked by a
// MemoryMeter, spans from the steady clock.
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>
#include <thread>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

int cpuHeadLanes(const Shape& shape) {
  // Below this many tokens a head's kernel is so short that the pool's
  // fork/join per product costs a large share of it; heads then run side by side.
  constexpr int64_t kHeadParallelMaxN = 1024;
  if (shape.n > kHeadParallelMaxN || shape.heads < 2 || shape.workers < 2) return 1;
  return static_cast<int>(std::min<int64_t>(shape.heads, shape.workers));
}

namespace {

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

  BackendStatus status() const override {
    BackendStatus s;
    DeviceInfo dev;
    dev.name = "host CPU";
    dev.freeBytes = availableSystemMemory();
    dev.detail = std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " hardware threads, " + cpuIsaName() + " kernels" +
                 (cpuBf16Usable() ? std::string("; precisions fp32, bf16 (mask-based variants, ") + cpuBf16Name(cpuBf16()) + ")" : std::string("; precision fp32"));
    s.devices.push_back(dev);
    return s;
  }

  bool supports(const AttentionSpec& spec, const Shape* shape, std::string* why) const override {
    return findCpuKernel(spec, shape, why) != nullptr;
  }

  int64_t freeMemoryBytes() const override { return availableSystemMemory(); }
  int workers() const override { return ThreadPool::shared().size(); }
  int headLanes(const Shape& shape) const override { return cpuHeadLanes(shape); }
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
    const int heads = qkv.heads();
    result.output.resize(static_cast<size_t>(heads));
    result.extras.resize(static_cast<size_t>(heads));
    auto runHead = [&](int h, const ExecContext& c) {
      c.checkCancelled();
      HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], options.labels, h};
      Mat out;
      if (options.reuseOutputs && static_cast<size_t>(h) < options.reuseOutputs->size()) out.swap((*options.reuseOutputs)[static_cast<size_t>(h)]);
      if (out.rows() != qkv.n() || out.cols() != qkv.dv()) out.resize(qkv.n(), qkv.dv());
      ScopedSpan span(&profiler, "head " + std::to_string(h), SpanCategory::Host);
      result.extras[static_cast<size_t>(h)] = kernel.apply(c, spec, in, in.v, out);
      result.output[static_cast<size_t>(h)] = std::move(out);
    };
    const auto start = std::chrono::steady_clock::now();
    const int lanes = cpuHeadLanes(shape);
    if (lanes > 1) {
      // Short inputs: one head per worker, each head's kernel on its own
      // one-thread pool (so it sizes its scratch for one worker).
      std::vector<std::unique_ptr<ThreadPool>> serial;
      std::vector<ExecContext> laneCtx(static_cast<size_t>(lanes), ctx);
      for (int l = 0; l < lanes; ++l) {
        serial.push_back(std::make_unique<ThreadPool>(1));
        laneCtx[static_cast<size_t>(l)].pool = serial.back().get();
        laneCtx[static_cast<size_t>(l)].firstWorker = l;
      }
      ThreadPool::shared().parallelFor(0, heads, [&](int64_t h, int worker) { runHead(static_cast<int>(h), laneCtx[static_cast<size_t>(worker)]); });
    } else {
      for (int h = 0; h < heads; ++h) runHead(h, ctx);
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
