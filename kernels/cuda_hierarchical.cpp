// hierarchical on the GPU: the flash kernel over the keys extended with block
// summaries (hierarchical_flash.hpp). The block means are taken on the
// device (block_means.hpp) into the summary rows, before the forward.
#include <memory>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "cuda_flash_kernel.hpp"
#include "cuda_kernel_table.hpp"
#include "hierarchical_flash.hpp"

namespace attnscope::kernels {

namespace {

// Layout arrays beyond this are refused: they would cost more to build and
// upload than the attention they describe.
constexpr int64_t kMaxLayoutBytes = int64_t{256} << 20;

bool hierarchicalAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  if (!flashAccepts(spec, shape, why)) return false;
  if (!shape) return true;
  const std::string reason = hierarchicalFlashSupports(hierarchicalKeys(spec, shape->n), spec.causal, kMaxLayoutBytes);
  if (reason.empty()) return true;
  *why = reason;
  return false;
}

class HierarchicalKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, 1};
    std::string why;
    if (!hierarchicalAccepts(spec, &shape, &why)) throw Error(ErrorKind::Unsupported, "cuda hierarchical: " + why);
    const HierarchicalKeys keys = hierarchicalKeys(spec, qkv.n());
    const BlockLayout layout = hierarchicalFlashLayout(keys, spec.causal);
    if (options.cancel) options.cancel->check();
    const Qkv extended = withSummaryRows(qkv, keys);
    FlashPrepare means;
    means.kernelNames = {"blockMeans"};
    means.flops = static_cast<double>(qkv.heads()) * static_cast<double>(qkv.n()) * static_cast<double>(qkv.d() + qkv.dv());  // one add per element
    means.run = [&](const FlashDeviceInputs& in, FlashStream stream) {
      const int status = launchBlockMeans(hierarchicalMeansParams(keys, qkv.heads(), qkv.d(), in.k), stream);
      return status != 0 ? status : launchBlockMeans(hierarchicalMeansParams(keys, qkv.heads(), qkv.dv(), in.v), stream);
    };
    AttentionResult result = flashAttentionResult(spec, extended, {&layout}, VariantRegistry::instance().get(spec.variant).cost(spec, shape).flops, 0.0f, &means);
    // Device bytes beyond Q, K, V and O: the layout, and the padding and summary rows of K and V.
    result.peakWorkspaceBytes += (keys.keys() - keys.n) * (qkv.d() + qkv.dv()) * static_cast<int64_t>(sizeof(float)) * qkv.heads();
    return result;
  }
};

}  // namespace

void addHierarchicalKernel(KernelTable<CudaKernel>& table) { table.add("hierarchical", std::make_shared<HierarchicalKernel>(), &hierarchicalAccepts); }

}  // namespace attnscope::kernels
