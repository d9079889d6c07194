// The CUDA kernel of dense and every mask-based variant: the block-sparse
// flash kernel over the variant's BlockLayout for each head, all heads in one
// launch, timed by CUPTI kernel records (cudaEvents where CUPTI cannot run).
#include <cmath>
#include <memory>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"
#include "cuda_flash_kernel.hpp"
#include "cupti_profiler.hpp"
#include "cuda_kernel_table.hpp"
#include "flash_layout_host.hpp"
#include "flash_runner.hpp"
#include "profiling/profiler.hpp"

namespace attnscope::kernels {

namespace {

FlashElement elementOf(Precision p) {
  switch (p) {
    case Precision::Fp16: return FlashElement::Fp16;
    case Precision::Bf16: return FlashElement::Bf16;
    case Precision::Fp32: break;
  }
  return FlashElement::Fp32;
}

}  // namespace

bool flashAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  if (shape) {
    if (!flashWidthsSupported(static_cast<int>(shape->d), static_cast<int>(shape->dv))) {
      *why = "the cuda flash kernel has head widths " + flashWidthList() + " (d, or d/dv; got d = " + std::to_string(shape->d) + ", dv = " + std::to_string(shape->dv) + ")";
      return false;
    }
  }
  const int cc = deviceComputeCapability();
  if (spec.precision != Precision::Fp32 && cc > 0 && cc < 80) {
    *why = std::string(precisionName(spec.precision)) + " runs on tensor cores from compute capability 8.0 (this device: " + std::to_string(cc / 10) +
           "." + std::to_string(cc % 10) + ")";
    return false;
  }
  return true;
}

namespace {

class FlashKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    // One layout per head: topk_dynamic's depends on the head's input, and the
    // others cost O(listed tiles) to build.
    std::vector<BlockLayout> layouts;
    for (int h = 0; h < qkv.heads(); ++h) {
      if (options.cancel) options.cancel->check();
      HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], options.labels, h};
      layouts.push_back(layoutForHead(spec, in));
    }
    std::vector<const BlockLayout*> views;
    for (const BlockLayout& l : layouts) views.push_back(&l);
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, 1};
    return flashAttentionResult(spec, qkv, views, VariantRegistry::instance().get(spec.variant).cost(spec, shape).flops);
  }
};

}  // namespace

AttentionResult flashAttentionResult(const AttentionSpec& spec, const Qkv& qkv, const std::vector<const BlockLayout*>& views, double flops, float scale,
                                     const FlashPrepare* prepare) {
  MemoryMeter meter;
  FlashRunOptions o;
  o.element = elementOf(spec.precision);
  o.scale = scale;
  o.meter = &meter;
  o.prepare = prepare;
  const double prepareFlops = prepare ? prepare->flops : 0.0;
  const auto isPrepare = [&](const std::string& name) {
    if (prepare)
      for (const std::string& prefix : prepare->kernelNames)
        if (name.rfind(prefix, 0) == 0) return true;
    return false;
  };
  std::string cuptiWhy;
  CuptiProfiler& cupti = CuptiProfiler::instance();
  const bool traced = cupti.enable(&cuptiWhy);
  const uint64_t id = CuptiProfiler::newExternalId();
  FlashRunOutput out;
  {
    CorrelationScope scope(id);
    out = runFlashForward(qkv, views, o);
  }
  if (!out.guardsIntact) throw Error(ErrorKind::Unavailable, "cuda flash kernel wrote past the end of its output (a kernel bug; please report it)");

  AttentionResult result;
  result.output = std::move(out.output);
  result.extras.resize(static_cast<size_t>(qkv.heads()));
  result.elapsedMs = out.kernelMs + out.prepareMs;
  if (traced) {
    // Flushed here, after the timed launch: the forward's time is the flash
    // kernel's own record plus the prepare step's (the fp16/bf16 conversions
    // are separate spans).
    const CuptiRecords records = recordsFor(cupti.flushAndTake(), id);
    result.trace = recordsToTrace(records, cupti.clockOffsetNs());
    double flashMs = out.kernelMs, prepareMs = 0;
    for (const KernelRecord& k : records.kernels) {
      const std::string name = shortKernelName(k.name);
      const double ms = static_cast<double>(k.endNs - k.startNs) / 1e6;
      if (name.rfind("flashForward", 0) == 0) flashMs = ms;  // the last repeat's
      else if (isPrepare(name)) prepareMs += ms;
    }
    result.elapsedMs = flashMs + prepareMs;
    for (Span& span : result.trace.spans) {
      if (span.category != SpanCategory::Kernel) continue;
      if (span.name.rfind("flashForward", 0) == 0) span.flops = flops - prepareFlops;
      else if (isPrepare(span.name)) span.flops = prepareFlops;
    }
    result.trace.peakBytes = replayDeviceMemory(records.memory).peakBytes;
    if (records.droppedRecords > 0)
      result.extras.front().notes.push_back(std::to_string(records.droppedRecords) + " CUPTI records were dropped (its buffers were full)");
  } else {
    Span span;
    span.name = "flash forward";
    span.category = SpanCategory::Kernel;
    span.device = "cuda:0";
    span.startNs = traceClockNs();
    span.durationNs = static_cast<int64_t>(out.kernelMs * 1e6);
    span.flops = flops - prepareFlops;
    if (prepare) {
      Span step = span;
      step.name = prepare->kernelNames.empty() ? "prepare" : prepare->kernelNames.front();
      step.durationNs = static_cast<int64_t>(out.prepareMs * 1e6);
      step.flops = prepareFlops;
      span.startNs += step.durationNs;
      result.trace.spans.push_back(step);
    }
    result.trace.spans.push_back(span);
    result.trace.peakBytes = meter.peak();
    result.extras.front().notes.push_back(cuptiFallbackNote(cuptiWhy));
  }
  // Device scratch beyond Q, K, V and O: the layout arrays.
  result.peakWorkspaceBytes = out.layoutBytes;
  return result;
}

void addFlashKernels(KernelTable<CudaKernel>& table) {
  auto flash = std::make_shared<FlashKernel>();
  table.add("dense", flash, &flashAccepts);
  table.add(kAnyMaskBased, flash, &flashAccepts);
}

}  // namespace attnscope::kernels
