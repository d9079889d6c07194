#include "hierarchical_flash.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attention/variants/hierarchical.hpp"
#include "common/error.hpp"
#include "flash_layout_host.hpp"

namespace attnscope::kernels {

HierarchicalKeys hierarchicalKeys(const AttentionSpec& spec, int64_t n) {
  const hierarchical::Blocks blocks = hierarchical::blocksFor(spec, n);
  HierarchicalKeys k;
  k.n = n;
  k.b = blocks.b;
  k.blocks = blocks.count;
  return k;
}

int64_t hierarchicalLayoutBytesBound(const HierarchicalKeys& k) {
  const int64_t summaryTiles = (k.blocks + k.b - 1) / k.b;
  const int64_t entries = k.blocks * (1 + summaryTiles);
  const int64_t bitsTiles = k.blocks + 1;  // at most one summary tile per query block, and a short last block's own tile
  return entries * kFlashEntryBytes + (k.blocks + 1) * static_cast<int64_t>(sizeof(int64_t)) + bitsTiles * flashBitsWords(k.b) * static_cast<int64_t>(sizeof(uint64_t));
}

std::string hierarchicalFlashSupports(const HierarchicalKeys& k, bool /*causal*/, int64_t maxLayoutBytes) {
  const int64_t bytes = hierarchicalLayoutBytesBound(k);
  if (bytes > maxLayoutBytes)
    return "hierarchical with block " + std::to_string(k.b) + " at n = " + std::to_string(k.n) + " needs a " + std::to_string(bytes >> 20) +
           " MiB tile layout on the GPU (limit " + std::to_string(maxLayoutBytes >> 20) + " MiB); a block nearer sqrt(n) = " +
           std::to_string(static_cast<int64_t>(std::sqrt(static_cast<double>(k.n)))) + " keeps it small";
  return {};
}

BlockLayout hierarchicalFlashLayout(const HierarchicalKeys& k, bool causal) {
  BlockLayout l;
  l.n = k.n;
  l.nKeys = k.keys();
  l.block = k.b;
  l.causal = false;  // summaries sit at key indices past every query: causality is in the tile kinds
  l.bandLo = -(k.b - 1);
  l.bandHi = 0;
  const int64_t b = k.b, firstSummaryTile = k.blocks;
  for (int64_t qb = 0; qb < k.blocks; ++qb) {
    const int64_t length = std::min(b, k.n - qb * b);
    // Own block: every key of it (or those up to the query), never the padding after a short block.
    if (causal) {
      l.addTile(static_cast<int32_t>(qb), TileMask::Band);
    } else if (length == b) {
      l.addTile(static_cast<int32_t>(qb), TileMask::Full);
    } else {
      std::vector<uint64_t> words(static_cast<size_t>(flashBitsWords(b)), 0);
      for (int64_t r = 0; r < length; ++r)
        for (int64_t c = 0; c < length; ++c) setFlashTileBit(words, b, r, c);
      l.addBitsTile(static_cast<int32_t>(qb), words);
    }
    // Summaries: of every other block, or (causal) of the blocks wholly before this one.
    const int64_t visibleEnd = causal ? qb : k.blocks;  // summaries [0, visibleEnd), except qb itself
    for (int64_t t = 0; t * b < visibleEnd; ++t) {
      const int64_t c0 = t * b, c1 = std::min(visibleEnd, c0 + b);
      const bool holdsOwn = !causal && qb >= c0 && qb < c1;
      const bool partial = c1 < std::min(k.blocks, c0 + b);  // the causal edge cuts the tile
      if (!holdsOwn && !partial) {
        l.addTile(static_cast<int32_t>(firstSummaryTile + t), TileMask::Full);
        continue;
      }
      std::vector<uint64_t> words(static_cast<size_t>(flashBitsWords(b)), 0);
      bool any = false;
      for (int64_t c = c0; c < c1; ++c) {
        if (c == qb) continue;
        any = true;
        for (int64_t r = 0; r < length; ++r) setFlashTileBit(words, b, r, c - c0);
      }
      if (any) l.addBitsTile(static_cast<int32_t>(firstSummaryTile + t), words);
    }
    l.endRow();
  }
  l.finish();
  return l;
}

Qkv withSummaryRows(const Qkv& qkv, const HierarchicalKeys& k) {
  if (qkv.n() != k.n) throw Error(ErrorKind::InvalidArgument, "hierarchical keys were planned for n = " + std::to_string(k.n) + ", the input has " + std::to_string(qkv.n()));
  return withZeroKeyRows(qkv, k.keys());
}

Qkv withBlockSummaries(const Qkv& qkv, const HierarchicalKeys& k) {
  Qkv ext = withSummaryRows(qkv, k);
  const auto fill = [&k](const Mat& x, Mat& out) {
    for (int64_t c = 0; c < k.blocks; ++c) {
      const int64_t begin = c * k.b, length = std::min(k.b, k.n - begin);
      out.row(k.summaryStart() + c) = (x.middleRows(begin, length).cast<double>().colwise().sum() / static_cast<double>(length)).cast<float>();
    }
  };
  for (size_t h = 0; h < qkv.k.size(); ++h) {
    fill(qkv.k[h], ext.k[h]);
    fill(qkv.v[h], ext.v[h]);
  }
  return ext;
}

BlockMeansParams hierarchicalMeansParams(const HierarchicalKeys& k, int heads, int64_t width, float* extended) {
  BlockMeansParams p;
  p.src = extended;
  p.dst = extended;
  p.heads = heads;
  p.rows = k.n;
  p.width = width;
  p.block = k.b;
  p.blocks = k.blocks;
  p.srcHeadStride = p.dstHeadStride = k.keys() * width;
  p.dstRow0 = k.summaryStart();
  return p;
}

}  // namespace attnscope::kernels
