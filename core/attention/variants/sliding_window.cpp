// sliding_window: i attends j iff |i - j| <= w (causal: 0 <= i - j <= w), and,
// with dilation δ > 1, additionally (i - j) % δ == 0. The layout lists exactly
// the tiles that the band meets: tiles wholly inside the band are Full, the
// edge tiles are Band-masked element-wise.
#include "attention/band_helpers.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {

class SlidingWindowVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "sliding_window";
      v.title = "Sliding window";
      v.family = "sparse";
      v.complexity = "O(n w d)";
      v.memoryComplexity = "O(n d)";
      v.useWhen = "local structure dominates (audio, DNA, text within a paragraph) and n is long";
      v.loses = "every dependency farther than w (or w times the depth of a stack)";
      v.params = {intParam("window", 64, 0, 1000000, "each token attends tokens at most this far away (w >= n is dense)", "tokens"),
                  intParam("dilation", 1, 1, 4096, "attend only every δ-th offset inside the window (1: every offset)", "tokens")};
      v.supportsCausal = true;
      v.maskBased = true;
      v.displayOrder = 2;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const band::Band bd = bandOf(spec, s.causal);
    const int64_t b = tileEdge(spec);
    const double tiles = static_cast<double>(band::bandTileCount(bd, s.n, b));
    const double rowBlocks = static_cast<double>((s.n + b - 1) / b);
    return band::blockSparseCost(s, b, tiles, band::bandPairs(bd, s.n), band::layoutBytesFor(tiles, rowBlocks), kernelWorkspaceBytes(spec, s, b));
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput*) const override {
    const band::Band bd = bandOf(spec, spec.causal);
    BlockLayout l;
    l.n = l.nKeys = s.n;
    l.block = tileEdge(spec);
    l.causal = spec.causal;
    l.bandLo = bd.lo;
    l.bandHi = bd.hi;
    l.dilation = bd.dilation;
    for (int64_t qb = 0; qb < l.rowBlocks(); ++qb) {
      band::addBandTiles(l, bd, qb, [](int64_t) { return false; });
      l.endRow();
    }
    l.finish();
    return l;
  }

 private:
  static band::Band bandOf(const AttentionSpec& spec, bool causal) {
    return band::windowBand(spec.params.getInt("window"), spec.params.getInt("dilation"), causal);
  }
  static int64_t tileEdge(const AttentionSpec& spec) { return band::bandTileEdge(spec.params.getInt("window")); }
};

const RegisterVariant<SlidingWindowVariant> registration;

}  // namespace

}  // namespace attnscope
