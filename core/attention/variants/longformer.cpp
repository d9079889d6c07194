// longformer: a sliding window w plus a set G of global positions: i attends j
// iff |i - j| <= w or i in G or j in G (causal: and j <= i). G is the union of
// the first `globals` tokens, the explicit `global_indices`, and every token
// whose label matches `global_pattern` as a whole (ECMAScript regex; with no
// labels the pattern matches nothing).
//
// Layout: the band's tiles as in sliding_window; a query tile holding a global
// row lists every key tile, and every query tile lists the key tiles holding a
// global column. Tiles outside the band are GlobalOnly, so only the global
// rows and columns inside them count.
#include <algorithm>
#include <regex>

#include "attention/band_helpers.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {

class LongformerVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "longformer";
      v.title = "Longformer (window + global tokens)";
      v.family = "sparse";
      v.complexity = "O(n (w + g) d)";
      v.memoryComplexity = "O(n d)";
      v.useWhen = "long documents where a few known tokens ([CLS], questions, headings) must see and be seen by all";
      v.loses = "direct long-range links between ordinary tokens; they pass only through the global ones";
      v.params = {intParam("window", 64, 0, 1000000, "each token attends tokens at most this far away", "tokens"),
                  intParam("globals", 1, 0, 1000000, "the first g tokens are global (g >= n: every token)", "tokens"),
                  indexListParam("global_indices", "further global positions, e.g. 0,17,256 (each must be < n)"),
                  stringParam("global_pattern", "", "tokens whose whole label matches this regex are global, e.g. \\[CLS\\] or [.!?]")};
      v.supportsCausal = true;
      v.maskBased = true;
      v.displayOrder = 3;
      return v;
    }();
    return i;
  }

  void validate(const AttentionSpec& spec, const Shape& shape) const override {
    Variant::validate(spec, shape);
    checkIndices(spec, shape.n);
    compilePattern(spec);
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    // The pattern's globals depend on the labels, which the cost model does
    // not see: the estimate counts `globals` and `global_indices` only.
    const std::vector<uint8_t> global = globalFlags(spec, s.n, nullptr);
    std::vector<int64_t> globalList;
    for (int64_t p = 0; p < s.n; ++p)
      if (global[static_cast<size_t>(p)]) globalList.push_back(p);
    const band::Band bd = band::windowBand(spec.params.getInt("window"), 1, s.causal);
    const int64_t b = tileEdge(spec);
    // Exact pairs, row by row: a global row attends every key (j <= i when causal); an
    // ordinary row attends its band plus the global columns outside it.
    double pairs = 0;
    for (int64_t i = 0; i < s.n; ++i) {
      const int64_t keys = s.causal ? i + 1 : s.n;
      if (global[static_cast<size_t>(i)]) {
        pairs += static_cast<double>(keys);
        continue;
      }
      const int64_t lo = std::max<int64_t>(0, i + bd.lo), hi = std::min<int64_t>(s.n - 1, i + bd.hi);
      const auto below = std::lower_bound(globalList.begin(), globalList.end(), lo) - globalList.begin();
      const auto upTo = std::upper_bound(globalList.begin(), globalList.end(), hi) - globalList.begin();
      const auto reachable = std::upper_bound(globalList.begin(), globalList.end(), keys - 1) - globalList.begin();
      pairs += static_cast<double>(hi - lo + 1) + static_cast<double>(below + (reachable - std::min(reachable, upTo)));
    }
    // Tiles: band tiles, plus global column tiles in every row, plus full rows for global row tiles.
    const int64_t rowBlocks = (s.n + b - 1) / b;
    std::vector<uint8_t> tileHasGlobal(static_cast<size_t>(rowBlocks), 0);
    for (int64_t p : globalList) tileHasGlobal[static_cast<size_t>(p / b)] = 1;
    const double globalTiles = static_cast<double>(std::count(tileHasGlobal.begin(), tileHasGlobal.end(), 1));
    const double tiles = std::min(static_cast<double>(band::bandTileCount(bd, s.n, b)) + static_cast<double>(rowBlocks) * globalTiles +
                                      globalTiles * static_cast<double>(rowBlocks),
                                  static_cast<double>(rowBlocks) * static_cast<double>(rowBlocks));
    return band::blockSparseCost(s, b, tiles, pairs, band::layoutBytesFor(tiles, static_cast<double>(rowBlocks), 0, 2.0 * static_cast<double>(s.n)),
                                 kernelWorkspaceBytes(spec, s, b));
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput* input) const override {
    checkIndices(spec, s.n);
    const band::Band bd = band::windowBand(spec.params.getInt("window"), 1, spec.causal);
    BlockLayout l;
    l.n = l.nKeys = s.n;
    l.block = tileEdge(spec);
    l.causal = spec.causal;
    l.bandLo = bd.lo;
    l.bandHi = bd.hi;
    const std::vector<uint8_t> global = globalFlags(spec, s.n, input ? input->labels : nullptr);
    const bool anyGlobal = std::find(global.begin(), global.end(), 1) != global.end();
    if (anyGlobal) l.globalRow = l.globalCol = global;

    const int64_t b = l.block, tiles = l.rowBlocks();
    std::vector<uint8_t> tileHasGlobal(static_cast<size_t>(tiles), 0);
    for (int64_t p = 0; p < s.n; ++p)
      if (global[static_cast<size_t>(p)]) tileHasGlobal[static_cast<size_t>(p / b)] = 1;
    std::vector<int64_t> globalTiles;
    for (int64_t t = 0; t < tiles; ++t)
      if (tileHasGlobal[static_cast<size_t>(t)]) globalTiles.push_back(t);

    std::vector<int64_t> candidates;
    for (int64_t qb = 0; qb < tiles; ++qb) {
      const int64_t i0 = qb * b, rows = std::min(b, s.n - i0);
      // Causal: key tiles that start after this tile's last row hold nothing allowed.
      const int64_t lastKeyTile = spec.causal ? (i0 + rows - 1) / b : tiles - 1;
      int64_t first = 0, last = -1;
      band::bandKeyBlockRange(bd, s.n, s.n, b, qb, first, last);
      // A tile with a global row needs every key tile; otherwise the band's
      // tiles and the tiles holding global columns.
      candidates.clear();
      if (tileHasGlobal[static_cast<size_t>(qb)]) {
        for (int64_t kb = 0; kb <= lastKeyTile; ++kb) candidates.push_back(kb);
      } else {
        for (int64_t kb = first; kb <= std::min(last, lastKeyTile); ++kb) candidates.push_back(kb);
        for (int64_t kb : globalTiles)
          if ((kb < first || kb > last) && kb <= lastKeyTile) candidates.push_back(kb);
        std::sort(candidates.begin(), candidates.end());
      }
      for (int64_t kb : candidates) {
        const int64_t j0 = kb * b, cols = std::min(b, s.n - j0);
        const int meets = (kb >= first && kb <= last) ? band::bandMeetsTile(bd, i0, rows, j0, cols) : 0;
        if (meets) l.addTile(static_cast<int32_t>(kb), meets == 2 ? TileMask::Full : TileMask::Band);
        else if (tileHasGlobal[static_cast<size_t>(qb)] || tileHasGlobal[static_cast<size_t>(kb)]) l.addTile(static_cast<int32_t>(kb), TileMask::GlobalOnly);
      }
      l.endRow();
    }
    l.finish();
    return l;
  }

 private:
  // Same tile edge rule as sliding_window: sized to the band.
  static int64_t tileEdge(const AttentionSpec& spec) { return band::bandTileEdge(spec.params.getInt("window")); }

  static void checkIndices(const AttentionSpec& spec, int64_t n) {
    for (int64_t p : spec.params.getIndexList("global_indices"))
      if (p < 0 || p >= n)
        throw Error(ErrorKind::InvalidArgument, "longformer: global_indices holds " + band::str(p) + ", outside the sequence [0, " + band::str(n - 1) +
                                                    "] (n = " + band::str(n) + ")");
  }

  static std::optional<std::regex> compilePattern(const AttentionSpec& spec) {
    const std::string pattern = spec.params.getString("global_pattern");
    if (pattern.empty()) return std::nullopt;
    try {
      return std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw Error(ErrorKind::InvalidArgument, "longformer: global_pattern '" + pattern + "' is not a valid regular expression (" + e.what() + ")");
    }
  }

  // G as one flag per position.
  static std::vector<uint8_t> globalFlags(const AttentionSpec& spec, int64_t n, const std::vector<std::string>* labels) {
    std::vector<uint8_t> global(static_cast<size_t>(n), 0);
    const int64_t firstG = std::min(n, spec.params.getInt("globals"));
    std::fill(global.begin(), global.begin() + firstG, 1);
    for (int64_t p : spec.params.getIndexList("global_indices"))
      if (p >= 0 && p < n) global[static_cast<size_t>(p)] = 1;
    const auto pattern = compilePattern(spec);
    if (pattern && labels) {
      const int64_t labelled = std::min<int64_t>(n, static_cast<int64_t>(labels->size()));
      for (int64_t p = 0; p < labelled; ++p)
        if (std::regex_match((*labels)[static_cast<size_t>(p)], *pattern)) global[static_cast<size_t>(p)] = 1;
    }
    return global;
  }
};

const RegisterVariant<LongformerVariant> registration;

}  // namespace

}  // namespace attnscope
