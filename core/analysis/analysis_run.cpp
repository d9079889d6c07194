#include "analysis/analysis_run.hpp"

#include <chrono>
#include <memory>
#include <optional>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {

// Above this many element checks, the cost model's (exact) pair count is used
// instead of walking the layout.
constexpr double kLayoutCountLimit = 1e8;

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

MapRequest defaultMapRequest(int64_t n, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t maxCells) {
  MapRequest r;
  r.i0 = i0;
  r.i1 = i1;
  r.j0 = j0;
  r.j1 = j1;
  const int64_t rows = (i1 < 0 ? n : std::min(i1, n)) - i0, cols = (j1 < 0 ? n : std::min(j1, n)) - j0;
  r.maxCells = maxCells > 0 ? maxCells : (std::max(rows, cols) <= kExactMapLimit ? kExactMapLimit : kPooledMapCells);
  return r;
}

PairCount countPairs(const Variant& variant, const AttentionSpec& spec, const HeadInput& input) {
  const Shape shape = shapeOf(input, spec.causal);
  const double n = static_cast<double>(shape.n);
  PairCount p;
  p.total = n * n;
  if (const auto layout = variant.layout(spec, shape, &input)) {
    if (layout->implicitDense) {
      p.computed = spec.causal ? n * (n + 1) / 2 : n * n;
      p.source = "layout";
    } else if (static_cast<double>(layout->entries()) * static_cast<double>(layout->block * layout->block) <= kLayoutCountLimit) {
      p.computed = static_cast<double>(layout->countAllowedPairs());
      p.source = "layout";
    }
  }
  if (p.source.empty()) {
    p.computed = variant.cost(spec, shape).pairs;
    p.source = "cost_model";
  }
  p.fraction = p.total > 0 ? p.computed / p.total : 0.0;
  return p;
}

AnalysisResult analyzeHead(const AttentionSpec& spec, const Qkv& qkv, const std::vector<std::string>* labels, const AnalysisRequest& request,
                           const HeadRun& run, const CancelToken* cancel) {
  qkv.checkShapes();
  if (request.head < 0 || request.head >= qkv.heads())
    throw Error(ErrorKind::InvalidArgument, "analysis head " + std::to_string(request.head) + " outside [0, " + std::to_string(qkv.heads()) + ")");
  const Variant& variant = VariantRegistry::instance().get(spec.variant);
  variant.validate(spec, Shape{qkv.n(), qkv.d(), qkv.dv(), 1, spec.causal, 1});

  MemoryMeter meter;
  ExecContext ctx;
  ctx.pool = &ThreadPool::shared();
  ctx.meter = &meter;
  ctx.cancel = cancel;
  const size_t h = static_cast<size_t>(request.head);
  const HeadInput in{qkv.q[h], qkv.k[h], qkv.v[h], labels, request.head};

  AnalysisResult r;
  r.variant = spec.variant;
  r.head = request.head;
  r.n = qkv.n();
  r.pairs = countPairs(variant, spec, in);

  AttentionSpec denseSpec = makeSpec("dense");
  denseSpec.causal = spec.causal;

  // The requested backend's operators, where it has them; the CPU's otherwise.
  std::unique_ptr<HeadOperator> deviceOp, deviceDense;
  const bool wantsA = request.map || request.spectrum || request.metrics;
  if (wantsA && !request.backend.empty() && request.backend != "cpu") {
    Backend& backend = BackendRegistry::instance().get(request.backend);
    const BackendStatus status = backend.status();
    std::string why;
    if (!status.available) why = request.backend + " is unavailable: " + status.reason;
    else deviceOp = backend.headOperator(spec, qkv, request.head, labels, ctx, &why);
    if (deviceOp && request.metrics) deviceDense = backend.headOperator(denseSpec, qkv, request.head, labels, ctx, &why);
    if (!deviceOp || (request.metrics && !deviceDense)) r.notes.push_back("A computed on the cpu: " + why);
    if (deviceOp && request.metrics && !deviceDense) deviceOp.reset();  // variant and reference on one device
  }
  // The CPU forms A at the run's precision where it has kernels for it, else
  // in fp32 (a GPU's fp16 run, say), and says so.
  AttentionSpec cpuSpec = spec;
  const HeadKernel* kernel = nullptr;
  if (!deviceOp) {
    std::string why;
    kernel = findCpuKernel(cpuSpec, nullptr, &why);
    if (!kernel && spec.precision != Precision::Fp32) {
      cpuSpec.precision = Precision::Fp32;
      r.notes.push_back(std::string("A formed in fp32 on the cpu (") + why + ")");
    }
    if (!kernel) kernel = &cpuKernel(cpuSpec);  // fp32, or throws saying why the cpu cannot
  }
  std::optional<CpuHeadOperator> cpuOp;
  if (kernel) cpuOp.emplace(*kernel, cpuSpec, in, ctx);
  const HeadOperator& op = deviceOp ? *deviceOp : static_cast<const HeadOperator&>(*cpuOp);
  r.computedOn = op.device();

  // The head's output and extras: from the run when given, else the device
  // operator's (the factored ones keep their host forward's), else one
  // forward pass (O = A V through the device operator, whose variants
  // without kept extras have none).
  HeadExtras ownExtras;
  Mat ownOutput;
  const HeadExtras* extras = run.extras ? run.extras : deviceOp ? deviceOp->extras() : nullptr;
  const Mat* output = run.output;
  const bool needForward = (request.metrics && !output) || (!extras && !deviceOp && (request.memory || request.spectrum));
  if (needForward) {
    ownOutput.resize(qkv.n(), qkv.dv());
    if (kernel) ownExtras = kernel->apply(ctx, cpuSpec, in, in.v, ownOutput);
    else op.apply(in.v, ownOutput);
    if (!output) output = &ownOutput;
    if (!extras) extras = &ownExtras;
  }

  if (request.map) {
    const auto start = std::chrono::steady_clock::now();
    MapGrid grid = MapGrid::forRequest(*request.map, qkv.n(), qkv.n());
    grid.head = request.head;
    MeterCharge charge(&meter, gridBytes(grid.rows, grid.cols));
    op.map(grid);
    r.map = std::move(grid);
    r.mapMs = msSince(start);
    if (!variant.info().maskBased && r.map->computed.sum() == 0)
      r.notes.push_back("no token pair is scored one by one (A is formed through factors), so the computed-pair mask is empty");
  }

  if (request.spectrum) {
    const auto start = std::chrono::steady_clock::now();
    Spectrum s = computeSpectrum(op, request.spectrumOptions);
    if (extras) addSpectrumMarks(s, *extras);
    r.spectrum = std::move(s);
    r.spectrumMs = msSince(start);
  }

  if (request.metrics) {
    const auto start = std::chrono::steady_clock::now();
    const HeadKernel* denseKernel = deviceDense ? nullptr : &cpuKernel(denseSpec);
    std::optional<CpuHeadOperator> cpuDense;
    if (denseKernel) cpuDense.emplace(*denseKernel, denseSpec, in, ctx);
    const HeadOperator& denseOp = deviceDense ? *deviceDense : static_cast<const HeadOperator&>(*cpuDense);
    Mat denseOut(qkv.n(), qkv.dv());
    denseOp.apply(in.v, denseOut);
    std::vector<uint8_t> globals;
    if (const auto layout = variant.layout(spec, shapeOf(in, spec.causal), &in)) globals = globalKeys(*layout);
    r.metrics = computeMetrics(op, denseOp, *output, denseOut, extras ? *extras : HeadExtras{}, globals, "layout", request.metricsStripeFloats);
    r.metricsMs = msSince(start);
  }

  if (request.memory && extras) {
    MemoryTrace trace = memoryTraceFrom(*extras);
    if (!trace.empty()) r.memory = std::move(trace);
  }
  r.peakWorkspaceBytes = meter.peak();
  return r;
}

}  // namespace attnscope
