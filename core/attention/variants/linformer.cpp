// linformer: A = softmax(s Q (E K)^T) F with E, F in R^{k x n} (DESIGN §3).
// The n x n operator has rank <= k and is only ever formed tile by tile for the
// map; the forward pass costs O(n k d).
#include "attention/variants/linformer.hpp"

#include <algorithm>

#include "attention/registry.hpp"
#include "attention/variants/linformer_projection.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {

using linformer::Projection;
using linformer::projectionOf;

class LinformerVariant final : public Variant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "linformer";
      v.title = "Linformer (low-rank projection of keys and values)";
      v.family = "low-rank";
      v.complexity = "O(n k d)";
      v.memoryComplexity = "O(k d)";
      v.useWhen = "long non-causal inputs whose attention is close to low rank (global, smooth patterns)";
      v.loses = "sharp token-to-token links (rank <= k) and causality; the projections tie it to one length n";
      v.params = {intParam("k", 64, 1, 65536, "projected length (rank of the attention map); clamped to n", "rows"),
                  boolParam("share_ef", false, "use the same projection for keys and values (E = F)"),
                  enumParam("projection", "gaussian", {"gaussian", "mean_pool"}, "seeded Gaussian N(0, 1/k) or segment-mean pooling"),
                  intParam("seed", 0, 0, 2147483647, "seed of the Gaussian projections")};
      v.supportsCausal = false;
      v.maskBased = false;
      v.displayOrder = 5;
      return v;
    }();
    return i;
  }

  void validate(const AttentionSpec& spec, const Shape& shape) const override {
    if (spec.causal)
      throw Error(ErrorKind::Unsupported, "linformer has no causal form: its projections E K and F V mix every position, later ones included");
    Variant::validate(spec, shape);
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const Projection p = projectionOf(spec, std::max<int64_t>(s.n, 1));
    const double n = static_cast<double>(s.n), k = static_cast<double>(p.k), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv);
    const double heads = static_cast<double>(s.heads);
    CostEstimate c;
    c.pairs = heads * n * k;
    const double projectionFlops = p.meanPool ? n * (d + dv) : 2.0 * n * k * (d + dv);
    c.flops = heads * (projectionFlops + 2.0 * n * k * (d + dv));
    c.bytesRead = 4.0 * heads * n * (2.0 * d + dv);
    c.bytesWritten = 4.0 * heads * n * dv;
    c.workspaceBytes = linformerWorkspaceBytes(spec, s);
    return c;
  }
};

const RegisterVariant<LinformerVariant> registration;

}  // namespace

int64_t linformerRank(const AttentionSpec& spec, int64_t n) { return std::max<int64_t>(1, std::min(spec.params.getInt("k"), n)); }

Mat linformerProjection(const AttentionSpec& spec, int64_t n, bool valueSide) {
  const Projection p = projectionOf(spec, n);
  Mat m(p.k, n);
  p.fill(valueSide, 0, p.k, 0, n, m.data(), n);
  return m;
}

}  // namespace attnscope
