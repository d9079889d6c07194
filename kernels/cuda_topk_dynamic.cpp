// topk_dynamic on the GPU: the block means of Q and K (block_means.hpp), the
// choice of key blocks per query block (topk_select.hpp) written straight
// into the flash layout's column array, then the forward over it; the input
// never returns to the host to decide the sparsity. Where the choice does
// not fit shared memory the generic flash kernel (host-built layout) runs it.
#include <memory>
#include <optional>

#include "attention/registry.hpp"
#include "block_means.hpp"
#include "common/error.hpp"
#include "cuda_flash_kernel.hpp"
#include "cuda_kernel_table.hpp"
#include "device_buffer.hpp"
#include "topk_flash.hpp"
#include "topk_select.hpp"

namespace attnscope::kernels {

namespace {

// Opt-in shared memory per block is 163 KiB on sm_80 and 227 KiB on sm_90;
// this fits both: up to about 32,000 key blocks.
constexpr int64_t kMaxSelectSmem = int64_t{160} << 10;

bool topkAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  if (!flashAccepts(spec, shape, why)) return false;
  if (!shape) return true;
  const std::string reason = topkGpuSupports(topkPlanFor(spec, shape->n), kMaxSelectSmem);
  if (reason.empty()) return true;
  *why = reason;
  return false;
}

class TopkDynamicKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, 1};
    const Variant& variant = VariantRegistry::instance().get("topk_dynamic");
    variant.validate(spec, shape);
    std::string why;
    if (!topkAccepts(spec, &shape, &why)) throw Error(ErrorKind::Unsupported, "cuda topk_dynamic: " + why);
    const TopkPlan plan = topkPlanFor(spec, qkv.n());
    const BlockLayout placeholder = topkPlaceholderLayout(plan);
    if (options.cancel) options.cancel->check();
    const int heads = qkv.heads();
    const int64_t n = qkv.n(), d = qkv.d();
    std::vector<const BlockLayout*> perHead(static_cast<size_t>(heads), &placeholder);  // one CSR per head: each head chooses its own blocks

    std::optional<DeviceArray<float>> means;  // allocated inside the run so CUPTI attributes it to it
    FlashPrepare choose;
    choose.kernelNames = {"blockMeans", "topkSelect"};
    choose.flops = static_cast<double>(heads) * (2.0 * static_cast<double>(n) * static_cast<double>(d) +
                                                 2.0 * static_cast<double>(plan.blocks) * static_cast<double>(plan.blocks) * static_cast<double>(d));
    choose.run = [&](const FlashDeviceInputs& in, FlashStream stream) {
      const size_t per = static_cast<size_t>(heads * plan.blocks * d);
      means.emplace(nullptr, 2 * per);
      int status = launchBlockMeans(topkMeansParams(plan, heads, d, in.q, means->get()), stream);
      if (status == 0) status = launchBlockMeans(topkMeansParams(plan, heads, d, in.k, means->get() + per), stream);
      if (status != 0) return status;
      const TopkSelectParams p = topkSelectParams(plan, heads, d, means->get(), means->get() + per, in.layout->rowStart, in.colBlock);
      return launchTopkSelect(p, stream);
    };
    AttentionResult result = flashAttentionResult(spec, qkv, perHead, variant.cost(spec, shape).flops, 0.0f, &choose);
    // Device bytes beyond Q, K, V and O: the layout, and the block means of Q and K.
    result.peakWorkspaceBytes += 2 * heads * plan.blocks * d * static_cast<int64_t>(sizeof(float));
    result.extras.front().notes.push_back("key blocks chosen on the device from the block means of Q and K");
    return result;
  }
};

}  // namespace

void addTopkDynamicKernel(KernelTable<CudaKernel>& table) { table.add("topk_dynamic", std::make_shared<TopkDynamicKernel>(), &topkAccepts); }

}  // namespace attnscope::kernels
