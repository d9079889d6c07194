// dense: A = softmax(s Q K^T + M), the exact baseline, computed flash-style by
// the block-sparse kernel on a layout that lists every tile implicitly.
#include <cmath>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"

namespace attnscope {

namespace {

// 64-token tiles: a 64x64 score tile plus a 64x128 accumulator fit in L1/L2 on
// the CPUs we target, and Eigen's GEMM reaches most of its speed at this size.
constexpr int64_t kDenseTile = 64;

class DenseVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "dense";
      v.title = "Dense (exact softmax attention)";
      v.family = "exact";
      v.complexity = "O(n^2 d)";
      v.memoryComplexity = "O(n d)";
      v.useWhen = "the reference: exact, and affordable up to a few thousand tokens";
      v.loses = "nothing; its time grows with n^2";
      v.supportsCausal = true;
      v.maskBased = true;
      v.displayOrder = 0;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    CostEstimate c;
    const double n = static_cast<double>(s.n);
    const double perHead = s.causal ? n * (n + 1) / 2 : n * n;
    c.pairs = perHead * static_cast<double>(s.heads);
    c.flops = c.pairs * 2.0 * static_cast<double>(s.d + s.dv);
    // Q and V tiles are read once per query block; K and V stream once per query block.
    const double blocks = std::ceil(n / static_cast<double>(kDenseTile));
    c.bytesRead = 4.0 * static_cast<double>(s.heads) * (n * s.d + blocks * n * (s.d + s.dv) / (s.causal ? 2.0 : 1.0));
    c.bytesWritten = 4.0 * static_cast<double>(s.heads) * n * static_cast<double>(s.dv);
    c.workspaceBytes = kernelWorkspaceBytes(spec, s, kDenseTile);
    return c;
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput*) const override {
    return denseLayout(s.n, kDenseTile, spec.causal);
  }
};

const RegisterVariant<DenseVariant> registration;

}  // namespace

}  // namespace attnscope
