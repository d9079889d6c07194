// bigbird: block size b. Each query block attends
//  - its sliding blocks: window_blocks blocks centred on itself (3 = left, self, right);
//  - the first global_blocks blocks, which also attend every block;
//  - random_blocks further blocks, drawn per query block and per head from
//    `seed`, without repeats and never repeating a block already listed.
// Causal: every rule keeps only key blocks at or before the query block, and
// j <= i inside the diagonal block. Everything is block-granular, so every
// listed tile is Full. A length that b does not divide leaves a short last block.
#include <algorithm>

#include "attention/band_helpers.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"
#include "common/rng.hpp"

namespace attnscope {

namespace {

class BigBirdVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "bigbird";
      v.title = "BigBird (window + global + random blocks)";
      v.family = "sparse";
      v.complexity = "O(n (w + g + r) b d)";
      v.memoryComplexity = "O(n d)";
      v.useWhen = "long inputs that need some long-range mixing without choosing global tokens by hand (QA, genomics)";
      v.loses = "exactness: long-range pairs are sampled, not chosen; a given pair is usually missing";
      v.params = {intParam("block", 64, 1, 512, "tokens per block (the kernel tile)", "tokens"),
                  intParam("window_blocks", 3, 1, 1023, "sliding blocks around each query block (3: left, self, right; an even count adds the extra on the right)", "blocks"),
                  intParam("global_blocks", 1, 0, 100000, "the first g blocks attend and are attended by every block", "blocks"),
                  intParam("random_blocks", 3, 0, 100000, "extra key blocks drawn at random per query block (fewer when fewer are left)", "blocks"),
                  intParam("seed", 0, 0, 2147483647, "seed of the random blocks (each head draws its own)")};
      v.supportsCausal = true;
      v.maskBased = true;
      v.displayOrder = 4;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    // Tiles per query block from the rules (random blocks counted as drawn,
    // clamped to what is left); pairs = tiles * b^2 less the short last
    // block and, when causal, the diagonal's upper half.
    BlockLayout l = buildLayout(spec, s.n, s.causal, 0);
    const double tiles = static_cast<double>(l.entries()), b = static_cast<double>(l.block);
    double pairs = tiles * b * b;
    const double rem = static_cast<double>(s.n % l.block);
    if (rem > 0) {
      // Tiles in the last row or last column of blocks are short.
      double shortTiles = 0;
      for (int64_t qb = 0; qb < l.rowBlocks(); ++qb)
        for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) {
          const bool lastRow = qb == l.rowBlocks() - 1, lastCol = l.tileCol(e) == l.colBlocks() - 1;
          const double r = lastRow ? rem : b, c = lastCol ? rem : b;
          shortTiles += b * b - r * c;
        }
      pairs -= shortTiles;
    }
    if (s.causal) pairs -= static_cast<double>(l.rowBlocks() - 1) * b * (b - 1) / 2 + (rem > 0 ? rem * (rem - 1) / 2 : b * (b - 1) / 2);
    const int64_t blk = l.block;
    return band::blockSparseCost(s, blk, tiles, pairs, static_cast<double>(l.storageBytes()), kernelWorkspaceBytes(spec, s, blk));
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput* input) const override {
    return buildLayout(spec, s.n, spec.causal, input ? input->head : 0);
  }

 private:
  static BlockLayout buildLayout(const AttentionSpec& spec, int64_t n, bool causal, int head) {
    const int64_t b = spec.params.getInt("block");
    const band::BlockWindow window = band::blockWindow(spec.params.getInt("window_blocks"));
    const int64_t randomBlocks = spec.params.getInt("random_blocks");
    BlockLayout l;
    l.n = l.nKeys = n;
    l.block = b;
    l.causal = causal;
    const int64_t blocks = l.rowBlocks();
    const int64_t globalBlocks = std::min(blocks, spec.params.getInt("global_blocks"));
    Rng rng(splitmix64(static_cast<uint64_t>(spec.params.getInt("seed"))) ^ splitmix64(0x6A09E667F3BCC909ull + static_cast<uint64_t>(head)));

    std::vector<int64_t> listed, pool;
    for (int64_t qb = 0; qb < blocks; ++qb) {
      const int64_t lastKey = causal ? qb : blocks - 1;  // key blocks after qb hold nothing allowed when causal
      listed.clear();
      if (qb < globalBlocks) {
        for (int64_t kb = 0; kb <= lastKey; ++kb) listed.push_back(kb);
      } else {
        for (int64_t kb = std::max<int64_t>(0, qb - window.left); kb <= std::min(lastKey, qb + window.right); ++kb) listed.push_back(kb);
        for (int64_t kb = 0; kb < std::min(globalBlocks, lastKey + 1); ++kb)
          if (kb < qb - window.left || kb > qb + window.right) listed.push_back(kb);
        drawRandom(rng, randomBlocks, lastKey, listed, pool);
      }
      for (int64_t kb : listed) l.addTile(static_cast<int32_t>(kb), TileMask::Full);
      l.endRow();
    }
    for (int64_t kb = 0; kb < globalBlocks; ++kb) l.globalKeyBlocks.push_back(static_cast<int32_t>(kb));
    l.finish();
    return l;
  }

  // Appends up to `count` distinct blocks from [0, lastKey] that are not yet in `listed`.
  static void drawRandom(Rng& rng, int64_t count, int64_t lastKey, std::vector<int64_t>& listed, std::vector<int64_t>& pool) {
    const int64_t fixed = static_cast<int64_t>(listed.size());
    const int64_t unlisted = lastKey + 1 - fixed;
    const int64_t take = std::min(count, unlisted);
    if (take <= 0) return;
    auto isListed = [&](int64_t kb) { return std::find(listed.begin(), listed.end(), kb) != listed.end(); };
    if (take * 4 < unlisted && take <= 64 && unlisted * 2 > lastKey + 1) {
      // Few draws from mostly unlisted blocks: rejection is cheap and needs no pool.
      while (static_cast<int64_t>(listed.size()) < fixed + take) {
        const int64_t kb = static_cast<int64_t>(rng.below(static_cast<uint64_t>(lastKey + 1)));
        if (!isListed(kb)) listed.push_back(kb);
      }
      return;
    }
    // Otherwise a partial Fisher-Yates shuffle over the unlisted blocks.
    std::vector<int64_t> sorted(listed.begin(), listed.end());
    std::sort(sorted.begin(), sorted.end());
    pool.clear();
    for (int64_t kb = 0; kb <= lastKey; ++kb)
      if (!std::binary_search(sorted.begin(), sorted.end(), kb)) pool.push_back(kb);
    for (int64_t t = 0; t < take; ++t) {
      const int64_t pick = t + static_cast<int64_t>(rng.below(static_cast<uint64_t>(unlisted - t)));
      std::swap(pool[static_cast<size_t>(t)], pool[static_cast<size_t>(pick)]);
      listed.push_back(pool[static_cast<size_t>(t)]);
    }
  }
};

const RegisterVariant<BigBirdVariant> registration;

}  // namespace

}  // namespace attnscope
