// local_block: blockwise attention. i attends j iff floor(i/w) == floor(j/w)
// (causal: also j <= i). A length that w does not divide leaves a short last
// block. The kernel tile is chosen apart from w so that huge blocks do not
// need huge tiles: tiles inside one block are Full, tiles that straddle a
// block boundary carry explicit bits.
#include <algorithm>

#include "attention/band_helpers.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"

namespace attnscope {

namespace {

// Kernel tile edge for blocks of w tokens.
// - 16 <= w <= 128: the tile is the block, so every listed tile is Full.
// - w < 16: tiny tiles would be all overhead, so a tile holds several whole
//   blocks (a multiple of w near 32) and the diagonal tiles carry bits.
// - w > 128: the largest divisor of w in [32, 128] keeps every tile Full;
//   without one, 64-token tiles with bits on the block boundaries.
int64_t localTileEdge(int64_t w) {
  if (w >= 16 && w <= 128) return w;
  if (w < 16) return w * std::max<int64_t>(1, 32 / w);
  for (int64_t t = 128; t >= 32; --t)
    if (w % t == 0) return t;
  return 64;
}

// Calls visit(qt, kt, full) for every tile (query tile qt, key tile kt) that
// holds an allowed pair, in row order; endRow(qt) after each query tile.
template <typename Visit, typename EndRow>
void forEachLocalTile(int64_t n, int64_t w, int64_t t, bool causal, Visit visit, EndRow endRow) {
  const int64_t tiles = (n + t - 1) / t;
  for (int64_t qt = 0; qt < tiles; ++qt) {
    const int64_t r0 = qt * t, r1 = std::min(n, r0 + t);
    const int64_t firstBlock = r0 / w, lastBlock = (r1 - 1) / w;
    const int64_t keyEnd = std::min(n, (lastBlock + 1) * w);
    int64_t ktLast = (keyEnd - 1) / t;
    if (causal) ktLast = std::min(ktLast, (r1 - 1) / t);
    for (int64_t kt = (firstBlock * w) / t; kt <= ktLast; ++kt) {
      const int64_t c0 = kt * t, c1 = std::min(n, c0 + t);
      const bool full = firstBlock == lastBlock && c0 / w == firstBlock && (c1 - 1) / w == firstBlock;
      visit(qt, kt, full);
    }
    endRow(qt);
  }
}

class LocalBlockVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "local_block";
      v.title = "Local blocks";
      v.family = "sparse";
      v.complexity = "O(n w d)";
      v.memoryComplexity = "O(n d)";
      v.useWhen = "the cheapest sparse baseline: chunks that are independent (documents, frames, reads)";
      v.loses = "everything across a block boundary, even between neighbours";
      v.params = {intParam("block", 64, 1, 1000000, "tokens per block; a token attends only inside its own block", "tokens")};
      v.supportsCausal = true;
      v.maskBased = true;
      v.displayOrder = 1;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const int64_t w = spec.params.getInt("block"), t = localTileEdge(w);
    const double full = static_cast<double>(s.n / w), rem = static_cast<double>(s.n % w), wd = static_cast<double>(w);
    const double pairs = s.causal ? full * wd * (wd + 1) / 2 + rem * (rem + 1) / 2 : full * wd * wd + rem * rem;
    double tiles = 0, bitsTiles = 0;
    forEachLocalTile(s.n, w, t, s.causal, [&](int64_t, int64_t, bool isFull) { tiles += 1, bitsTiles += isFull ? 0 : 1; }, [](int64_t) {});
    const double words = bitsTiles * static_cast<double>((t * t + 63) / 64);
    const double rowTiles = static_cast<double>((s.n + t - 1) / t);
    return band::blockSparseCost(s, t, tiles, pairs, band::layoutBytesFor(tiles, rowTiles, words), kernelWorkspaceBytes(spec, s, t));
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput*) const override {
    const int64_t w = spec.params.getInt("block"), t = localTileEdge(w);
    BlockLayout l;
    l.n = l.nKeys = s.n;
    l.block = t;
    l.causal = spec.causal;
    std::vector<uint64_t> bits(static_cast<size_t>((t * t + 63) / 64));
    forEachLocalTile(
        s.n, w, t, spec.causal,
        [&](int64_t qt, int64_t kt, bool full) {
          if (full) {
            l.addTile(static_cast<int32_t>(kt), TileMask::Full);
            return;
          }
          std::fill(bits.begin(), bits.end(), 0);
          for (int64_t r = 0; r < t; ++r)
            for (int64_t c = 0; c < t; ++c)
              if ((qt * t + r) / w == (kt * t + c) / w) {
                const int64_t bit = r * t + c;
                bits[static_cast<size_t>(bit / 64)] |= uint64_t{1} << (bit % 64);
              }
          l.addBitsTile(static_cast<int32_t>(kt), bits);
        },
        [&](int64_t) { l.endRow(); });
    l.finish();
    return l;
  }
};

const RegisterVariant<LocalBlockVariant> registration;

}  // namespace

}  // namespace attnscope
