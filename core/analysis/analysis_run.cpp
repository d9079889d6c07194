#include "analysis/analysis_run.hpp"

#include <chrono>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
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
  const HeadKernel& kernel = cpuKernel(spec);
  const HeadOperator op{kernel, spec, in, ctx};

  AnalysisResult r;
  r.variant = spec.variant;
  r.head = request.head;
  r.n = qkv.n();
  r.pairs = countPairs(variant, spec, in);

  // The head's output and extras: from the run when given, else one forward pass.
  HeadExtras ownExtras;
  Mat ownOutput;
  const HeadExtras* extras = run.extras;
  const Mat* output = run.output;
  const bool needForward = (request.metrics && !output) || (!extras && (request.memory || request.spectrum));
  if (needForward) {
    ownOutput.resize(qkv.n(), qkv.dv());
    ownExtras = kernel.apply(ctx, spec, in, in.v, ownOutput);
    if (!output) output = &ownOutput;
    if (!extras) extras = &ownExtras;
  }

  if (request.map) {
    const auto start = std::chrono::steady_clock::now();
    MapGrid grid = MapGrid::forRequest(*request.map, qkv.n(), qkv.n());
    grid.head = request.head;
    MeterCharge charge(&meter, gridBytes(grid.rows, grid.cols));
    kernel.map(ctx, spec, in, grid);
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
    AttentionSpec denseSpec = makeSpec("dense");
    denseSpec.causal = spec.causal;
    const HeadKernel& dense = cpuKernel(denseSpec);
    Mat denseOut(qkv.n(), qkv.dv());
    dense.apply(ctx, denseSpec, in, in.v, denseOut);
    std::vector<uint8_t> globals;
    if (const auto layout = variant.layout(spec, shapeOf(in, spec.causal), &in)) globals = globalKeys(*layout);
    const HeadOperator denseOp{dense, denseSpec, in, ctx};
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
