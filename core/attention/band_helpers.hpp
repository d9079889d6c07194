// Small helpers shared by the banded and block-windowed sparse variants
// (sliding_window, longformer, local_block, bigbird, topk_dynamic): which key
// tiles a band touches, exact pair counts for the cost models, and the
// layout-side arithmetic of the block-sparse kernel's cost.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"

namespace attnscope::band {

// Floor and ceiling division that are correct for negative numerators.
inline int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }
inline int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

// Number of multiples of step in [lo, hi] (0 when the range is empty).
inline int64_t multiplesIn(int64_t lo, int64_t hi, int64_t step) {
  if (lo > hi) return 0;
  return std::max<int64_t>(0, floorDiv(hi, step) - ceilDiv(lo, step) + 1);
}

// A band of offsets o = j - i with lo <= o <= hi and o % dilation == 0.
struct Band {
  int64_t lo = 0, hi = 0, dilation = 1;
};

// The band of a window w: |i - j| <= w, or 0 <= i - j <= w when causal.
inline Band windowBand(int64_t window, int64_t dilation, bool causal) { return Band{-window, causal ? 0 : window, std::max<int64_t>(1, dilation)}; }

// Tile edge for a band of half-width w: the smallest power of two >= w,
// clamped to [16, 64]. A tile much wider than the band wastes most of its
// scores on masked pairs; a tile narrower than 16 spends more on per-tile
// overhead than on the small GEMM inside it. 64 is the dense kernel's tile.
inline int64_t bandTileEdge(int64_t window) {
  int64_t edge = 16;
  while (edge < window && edge < 64) edge *= 2;
  return edge;
}

// How the band meets the tile (rows [i0, i0 + rows) x columns [j0, j0 + cols)):
// 0 = no allowed pair, 1 = some pairs, 2 = every pair (then the tile is Full).
// The offsets j - i in such a tile are exactly the integers in [j0 - i0 - rows + 1, j0 + cols - 1 - i0].
inline int bandMeetsTile(const Band& band, int64_t i0, int64_t rows, int64_t j0, int64_t cols) {
  const int64_t oLo = j0 - (i0 + rows - 1), oHi = j0 + cols - 1 - i0;
  const int64_t lo = std::max(oLo, band.lo), hi = std::min(oHi, band.hi);
  if (multiplesIn(lo, hi, band.dilation) == 0) return 0;
  return (band.dilation == 1 && oLo >= band.lo && oHi <= band.hi) ? 2 : 1;
}

// Key blocks [first, last] that can meet the band for query block qb
// (before the per-tile check, which matters only with dilation).
inline void bandKeyBlockRange(const Band& band, int64_t n, int64_t nKeys, int64_t b, int64_t qb, int64_t& first, int64_t& last) {
  const int64_t i0 = qb * b, i1 = std::min(n, i0 + b) - 1;
  first = std::max<int64_t>(0, floorDiv(i0 + band.lo, b));
  last = std::min<int64_t>((nKeys - 1) / b, floorDiv(std::min(i1 + band.hi, nKeys - 1), b));
}

// Adds the band's tiles of query block qb (Full or Band) to the layout, except
// those for which skip(kb) is true. Returns the number added.
template <typename Skip>
int64_t addBandTiles(BlockLayout& layout, const Band& band, int64_t qb, Skip skip) {
  const int64_t b = layout.block, i0 = qb * b, rows = std::min(b, layout.n - i0);
  int64_t first = 0, last = -1, added = 0;
  bandKeyBlockRange(band, layout.n, layout.nKeys, b, qb, first, last);
  for (int64_t kb = first; kb <= last; ++kb) {
    if (skip(kb)) continue;
    const int64_t j0 = kb * b, cols = std::min(b, layout.nKeys - j0);
    const int meets = bandMeetsTile(band, i0, rows, j0, cols);
    if (meets == 0) continue;
    layout.addTile(static_cast<int32_t>(kb), meets == 2 ? TileMask::Full : TileMask::Band);
    ++added;
  }
  return added;
}

// Tiles the band touches over all query blocks (what the kernel visits for a
// pure band layout). O(n / b) tiles checked, nothing allocated.
inline int64_t bandTileCount(const Band& band, int64_t n, int64_t b) {
  int64_t count = 0;
  for (int64_t qb = 0; qb * b < n; ++qb) {
    int64_t first = 0, last = -1;
    bandKeyBlockRange(band, n, n, b, qb, first, last);
    if (band.dilation == 1 && band.lo <= 0 && band.hi >= 0) {  // a contiguous band meets every tile in the range
      count += std::max<int64_t>(0, last - first + 1);
      continue;
    }
    for (int64_t kb = first; kb <= last; ++kb)
      count += bandMeetsTile(band, qb * b, std::min(b, n - qb * b), kb * b, std::min(b, n - kb * b)) ? 1 : 0;
  }
  return count;
}

// Exact (i, j) pairs in [0, n)^2 inside the band: offset o occurs n - |o| times.
inline double bandPairs(const Band& band, int64_t n) {
  double pairs = 0;
  const int64_t lo = std::max(band.lo, -(n - 1)), hi = std::min(band.hi, n - 1);
  for (int64_t o = ceilDiv(lo, band.dilation) * band.dilation; o <= hi; o += band.dilation) pairs += static_cast<double>(n - (o < 0 ? -o : o));
  return pairs;
}

// Blocks around the diagonal for a window of `count` blocks: `left` before the
// query block and `right` after it. An even count takes its extra block on the right.
struct BlockWindow {
  int64_t left = 0, right = 0;
};
inline BlockWindow blockWindow(int64_t count) { return count <= 0 ? BlockWindow{0, -1} : BlockWindow{(count - 1) / 2, count / 2}; }

// The usual cost of the block-sparse kernel for a layout with `tiles` listed
// tiles of edge b and `pairs` allowed pairs (per head), over all heads.
inline CostEstimate blockSparseCost(const Shape& s, int64_t b, double tiles, double pairs, double layoutBytes, double kernelWorkspace) {
  CostEstimate c;
  const double h = static_cast<double>(s.heads), n = static_cast<double>(s.n);
  c.pairs = pairs * h;
  c.flops = c.pairs * 2.0 * static_cast<double>(s.d + s.dv);
  // Q read once; each listed tile streams one K tile and one V tile; O written once.
  c.bytesRead = 4.0 * h * (n * static_cast<double>(s.d) + tiles * static_cast<double>(b) * static_cast<double>(s.d + s.dv));
  c.bytesWritten = 4.0 * h * n * static_cast<double>(s.dv);
  c.workspaceBytes = kernelWorkspace + layoutBytes;
  return c;
}

// Bytes of a stored layout with `tiles` entries over `rowBlocks` query blocks
// (mirrors BlockLayout::storageBytes without building it).
inline double layoutBytesFor(double tiles, double rowBlocks, double bitsWords = 0, double flagBytes = 0) {
  return 8.0 * (rowBlocks + 1) + tiles * (4.0 + 1.0 + 8.0) + 8.0 * bitsWords + flagBytes;
}

inline std::string str(int64_t v) { return std::to_string(v); }

}  // namespace attnscope::band
