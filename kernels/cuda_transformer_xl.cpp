// transformer_xl on the GPU: the flash kernel on the variant's layout, with
// the relative-position terms folded into Q and K at width 2d
// (transformer_xl_flash.hpp). The per-segment mass on memory comes from two
// row log-sum-exp passes of the flash probe after the timed forward
// (transformerXlMemoryMass), as the CPU's fp32 definition.
#include <cmath>
#include <memory>
#include <optional>

#include "attention/registry.hpp"
#include "attention/variants/transformer_xl.hpp"
#include "common/error.hpp"
#include "cuda_flash_kernel.hpp"
#include "cuda_head_operator.hpp"
#include "cuda_kernel_table.hpp"
#include "device_buffer.hpp"
#include "flash_layout_host.hpp"
#include "flash_probe_operator.hpp"
#include "relative_features.hpp"
#include "transformer_xl_flash.hpp"

namespace attnscope::kernels {

namespace {

bool transformerXlAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  if (!flashAccepts(spec, nullptr, why)) return false;  // precision and device; widths below
  if (!shape) return true;
  const bool relative = spec.params.getBool("relative");
  const int width = transformerXlFlashWidth(spec, *shape);
  if (flashWidthsSupported(width, static_cast<int>(shape->dv))) return true;
  *why = std::string("transformer_xl on cuda runs the flash kernel with Q and K ") + (relative ? "of width 2d (they carry the position terms)" : "of width d") +
         ", so (" + (relative ? "2d" : "d") + ", dv) must be one of its widths " + flashWidthList() + " (got d = " + std::to_string(shape->d) + ", dv = " +
         std::to_string(shape->dv) + ")";
  return false;
}

class TransformerXlKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, 1};
    std::string why;
    if (!transformerXlAccepts(spec, &shape, &why)) throw Error(ErrorKind::Unsupported, "cuda transformer_xl: " + why);
    const transformer_xl::XlShape x = transformer_xl::xlShapeOf(spec, qkv.n());
    const BlockLayout layout = transformer_xl::xlLayout(x);
    if (options.cancel) options.cancel->check();
    const double flops = VariantRegistry::instance().get(spec.variant).cost(spec, shape).flops;
    const float scale = 1.0f / std::sqrt(static_cast<float>(qkv.d()));  // of the head width d, also at width 2d
    // Relative: the position halves of Q' and K' are written on the device
    // before the forward (their kernel counts in its time).
    const RelativeFeatureInputs features = x.relative ? relativeFeatureInputs(qkv.d()) : RelativeFeatureInputs{};
    std::optional<DeviceArray<float>> u, v;
    std::optional<DeviceArray<double>> frequency;
    FlashPrepare positions;
    positions.kernelNames = {"relativeFeatures"};
    positions.flops = static_cast<double>(qkv.heads()) * static_cast<double>(qkv.n()) * static_cast<double>(qkv.d()) * 4.0;
    positions.run = [&](const FlashDeviceInputs& in, FlashStream stream) {
      u.emplace(nullptr, features.u.data(), static_cast<size_t>(features.u.size()));
      v.emplace(nullptr, features.v.data(), static_cast<size_t>(features.v.size()));
      frequency.emplace(nullptr, features.frequency.data(), features.frequency.size());
      RelativeFeatureParams p;
      p.q = in.q;
      p.k = in.k;
      p.u = u->get();
      p.v = v->get();
      p.frequency = frequency->get();
      p.heads = qkv.heads();
      p.n = qkv.n();
      p.d = qkv.d();
      return launchRelativeFeatures(p, stream);
    };
    AttentionResult result = x.relative ? flashAttentionResult(spec, withRelativeSlots(qkv), {&layout}, flops, scale, &positions)
                                        : flashAttentionResult(spec, qkv, {&layout}, flops, scale);
    // Device bytes beyond Q, K, V and O: the layout, and the position halves of Q' and K'.
    if (x.relative) result.peakWorkspaceBytes += 2 * qkv.n() * qkv.d() * static_cast<int64_t>(sizeof(float)) * qkv.heads();
    result.extras.resize(static_cast<size_t>(qkv.heads()));
    if (x.memory > 0) {
      const std::unique_ptr<ProbeDevice> device = cudaProbeDevice();
      for (int h = 0; h < qkv.heads(); ++h) {
        if (options.cancel) options.cancel->check();
        result.extras[static_cast<size_t>(h)].memoryMass = transformerXlMemoryMass(*device, spec, qkv, h);
      }
    }
    HeadExtras& first = result.extras.front();
    first.scalars.emplace_back("segments", static_cast<double>(x.segments()));
    if (x.memory > 0) first.notes.push_back("the mass on memory per segment: two fp32 row passes on the device after the timed forward, not in its time");
    if (!spec.causal) first.notes.push_back("transformer_xl is causal by construction (its memory holds earlier positions only)");
    return result;
  }
};

}  // namespace

void addTransformerXlKernel(KernelTable<CudaKernel>& table) {
  table.add("transformer_xl", std::make_shared<TransformerXlKernel>(), &transformerXlAccepts);
}

}  // namespace attnscope::kernels
