// transformer_xl: segments of length L; each query attends causally to its own
// segment and to the cached keys/values of the M positions before it
// (DESIGN §3). relative=false is plain softmax over that set, run by the
// shared block-sparse kernel on a BlockLayout; relative=true adds the
// Transformer-XL position terms, scores
//   s ((q_i + u) . k_j + (q_i + v) . R(i - j)),
// computed per query block with the distance table (the "relative shift").
// Causal by construction: the cache only ever holds earlier positions.
#include "attention/variants/transformer_xl.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/rng.hpp"

namespace attnscope {

namespace transformer_xl {

// Tiles for lowest(i) <= j <= i: full inside, explicit bits on the diagonal and
// on the memory edge.
BlockLayout xlLayout(const XlShape& x) {
  BlockLayout layout;
  layout.n = layout.nKeys = x.n;
  layout.block = kTile;
  layout.causal = true;
  const int64_t b = kTile;
  std::vector<uint64_t> bits(static_cast<size_t>(b * b / 64));
  for (int64_t qb = 0; qb < layout.rowBlocks(); ++qb) {
    const int64_t i0 = qb * b, i1 = std::min(x.n, i0 + b);
    const int64_t loMin = x.lowest(i0), loMax = x.lowest(i1 - 1);
    for (int64_t kb = loMin / b; kb <= (i1 - 1) / b; ++kb) {
      const int64_t j0 = kb * b, j1 = std::min(x.n, j0 + b);
      if (j1 - 1 <= i0 && j0 >= loMax) {
        layout.addTile(static_cast<int32_t>(kb), TileMask::Full);
        continue;
      }
      std::fill(bits.begin(), bits.end(), 0);
      bool any = false;
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = std::max(j0, x.lowest(i)); j < std::min(j1, i + 1); ++j) {
          const int64_t local = (i - i0) * b + (j - j0);
          bits[static_cast<size_t>(local / 64)] |= uint64_t{1} << (local % 64);
          any = true;
        }
      if (any) layout.addBitsTile(static_cast<int32_t>(kb), bits);
    }
    layout.endRow();
  }
  layout.finish();
  return layout;
}

// Allowed pairs: per segment, l (a - lo + 1) + l (l - 1) / 2.
double pairsPerHead(const XlShape& x) {
  double pairs = 0;
  for (int64_t a = 0; a < x.n; a += x.segment) {
    const double l = static_cast<double>(std::min(x.segment, x.n - a));
    pairs += l * static_cast<double>(a - x.lowest(a) + 1) + l * (l - 1) / 2;
  }
  return pairs;
}

}  // namespace transformer_xl

namespace {

using namespace transformer_xl;

class TransformerXlVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "transformer_xl";
      v.title = "Transformer-XL (segment recurrence with a cached memory)";
      v.family = "recurrent";
      v.complexity = "O(n (L + M) d)";
      v.memoryComplexity = "O((L + M) d)";
      v.useWhen = "streaming or autoregressive inputs where recent context (segment plus cached memory) matters most";
      v.loses = "anything further back than L + M positions; causal only";
      v.params = {intParam("segment", 128, 1, 1 << 20, "segment length L", "tokens"),
                  intParam("memory", 128, 0, 1 << 20, "cached positions M before each segment", "tokens"),
                  boolParam("relative", true, "add relative-position scores (false: plain causal attention over [memory; segment])")};
      v.supportsCausal = true;
      v.maskBased = false;  // only relative=false runs through the block-sparse kernel; layout() says which
      v.displayOrder = 7;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const XlShape x = xlShapeOf(spec, std::max<int64_t>(s.n, 1));
    const double n = static_cast<double>(s.n), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv), heads = static_cast<double>(s.heads);
    const double b = kTile;
    CostEstimate c;
    const double pairs = pairsPerHead(x);
    c.pairs = heads * pairs;
    if (x.relative) {
      c.flops = heads * pairs * 2.0 * (2.0 * d + dv);  // content, position and value products
    } else {
      // The forward, plus a one-column pass over the segment alone for the memory mass.
      XlShape local = x;
      local.memory = 0;
      c.flops = heads * (pairs * 2.0 * (d + dv) + pairsPerHead(local) * 2.0 * (d + 1));
    }
    const double window = std::min(n, static_cast<double>(x.segment + x.memory) + b);
    c.bytesRead = 4.0 * heads * (n * d + std::ceil(n / b) * window * (d + dv));
    c.bytesWritten = 4.0 * heads * n * dv;
    c.workspaceBytes = transformerXlWorkspaceBytes(spec, s);
    return c;
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput*) const override {
    const XlShape x = xlShapeOf(spec, s.n);
    if (x.relative) return std::nullopt;  // position terms: not a pure mask
    return xlLayout(x);
  }
};

const RegisterVariant<TransformerXlVariant> registration;

}  // namespace

Mat transformerXlRelativeTable(int64_t distances, int64_t d) {
  // The table depends on its shape only, and sin/cos/pow per element took a
  // third of a 512-token run (8 heads): the last one is kept, as a model keeps its tables.
  static std::mutex mutex;
  static Mat last;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (last.rows() == distances && last.cols() == d) return last;
  }
  std::vector<double> frequency(static_cast<size_t>(d));
  for (int64_t c = 0; c < d; ++c) frequency[static_cast<size_t>(c)] = transformerXlFrequency(c, d);
  Mat r(distances, d);
  for (int64_t t = 0; t < distances; ++t)
    for (int64_t c = 0; c < d; ++c) {
      const double w = frequency[static_cast<size_t>(c)];
      r(t, c) = static_cast<float>(c % 2 == 0 ? std::sin(static_cast<double>(t) * w) : std::cos(static_cast<double>(t) * w));
    }
  const std::lock_guard<std::mutex> lock(mutex);
  last = r;
  return r;
}

void transformerXlBiases(int64_t d, RowVec& u, RowVec& v) {
  Rng rng(0x7EA45F0E11ull);
  u.resize(d);
  v.resize(d);
  for (int64_t c = 0; c < d; ++c) u(c) = static_cast<float>(0.1 * rng.normal());
  for (int64_t c = 0; c < d; ++c) v(c) = static_cast<float>(0.1 * rng.normal());
}

}  // namespace attnscope
