#include "memory_slots_flash.hpp"

#include <algorithm>
#include <vector>

#include "attention/band_helpers.hpp"
#include "common/error.hpp"
#include "flash_layout_host.hpp"

namespace attnscope::kernels {

namespace {

using band::ceilDiv;

// Row i's visible keys, as the two intervals [tokenLo, tokenHi) and [slotLo, slotHi).
struct RowKeys {
  int64_t tokenLo = 0, tokenHi = 0, slotLo = 0, slotHi = 0;
};

RowKeys rowKeys(const SlotKeys& k, int64_t i) {
  const int64_t t = i / k.segment, a = t * k.segment, end = std::min(k.n, a + k.segment);
  RowKeys r;
  r.tokenLo = a;
  r.tokenHi = k.causal ? i + 1 : end;
  if (t > 0) {
    r.slotLo = k.slotStart(t);
    r.slotHi = r.slotLo + k.slotCount;
  }
  return r;
}

// The part of row i's keys inside [c0, c1) as one interval (empty: lo = hi =
// c0): a tile lies wholly among the token keys or wholly among the slot keys.
void visibleIn(const SlotKeys& k, const RowKeys& r, int64_t c0, int64_t c1, int64_t* lo, int64_t* hi) {
  const bool slotsTile = c0 >= k.slotBase();
  *lo = std::max(slotsTile ? r.slotLo : r.tokenLo, c0);
  *hi = std::min(slotsTile ? r.slotHi : r.tokenHi, c1);
  if (*hi <= *lo) *lo = *hi = c0;
}

}  // namespace

SlotKeys slotKeysFor(const AttentionSpec& spec, int64_t n) {
  SlotKeys k;
  k.n = n;
  k.slotCount = spec.params.getInt("slots");
  k.segment = std::max<int64_t>(1, std::min<int64_t>(spec.params.getInt("segment"), std::max<int64_t>(n, 1)));
  k.segments = ceilDiv(n, k.segment);
  k.causal = spec.causal;
  return k;
}

int64_t memorySlotsLayoutBytesBound(const SlotKeys& k) {
  const int64_t rowBlocks = ceilDiv(k.n, k.block);
  // Per query block: the token tiles around its segments, and the slot tiles of each segment it holds.
  const int64_t segmentsPerBlock = std::min(k.segments, ceilDiv(k.block, k.segment) + 1);
  const int64_t tokenTiles = std::min(ceilDiv(k.slotBase(), k.block), ceilDiv(k.segment, k.block) + 2);
  const int64_t perBlock = tokenTiles + segmentsPerBlock * (k.slotStride() / k.block);
  const int64_t entries = rowBlocks * perBlock;
  // Bits tiles: a block inside one segment has at most three (the segment's
  // end or the padding, a partial slot tile, a short last block); a block a
  // segment edge crosses may have every tile in Bits, and there are at most
  // `segments` such blocks.
  const int64_t bitsTiles = std::min(entries, rowBlocks * 3 + std::min(rowBlocks, k.segments) * perBlock);
  return entries * kFlashEntryBytes + (rowBlocks + 1) * static_cast<int64_t>(sizeof(int64_t)) + bitsTiles * flashBitsWords(k.block) * static_cast<int64_t>(sizeof(uint64_t));
}

std::string memorySlotsFlashSupports(const SlotKeys& k, int64_t maxLayoutBytes) {
  const int64_t bytes = memorySlotsLayoutBytesBound(k);
  if (bytes > maxLayoutBytes)
    return "memory_slots with segment " + std::to_string(k.segment) + " at n = " + std::to_string(k.n) + " needs a " + std::to_string(bytes >> 20) +
           " MiB tile layout on the GPU (limit " + std::to_string(maxLayoutBytes >> 20) + " MiB); a shorter segment keeps it small";
  return {};
}

BlockLayout memorySlotsFlashLayout(const SlotKeys& k) {
  BlockLayout l;
  l.n = k.n;
  l.nKeys = k.keys();
  l.block = k.block;
  l.causal = false;  // slot keys sit past every token: causality is in the tile kinds
  l.bandLo = -k.n;   // Band is "j <= i" inside a tile
  l.bandHi = 0;
  const int64_t b = k.block;
  std::vector<RowKeys> rows(static_cast<size_t>(b));
  std::vector<int64_t> tiles;
  for (int64_t qb = 0; qb * b < k.n; ++qb) {
    const int64_t r0 = qb * b, r1 = std::min(k.n, r0 + b);
    tiles.clear();
    for (int64_t i = r0; i < r1; ++i) {
      const RowKeys r = rowKeys(k, i);
      rows[static_cast<size_t>(i - r0)] = r;
      // Rows of a block share their segment's tiles; collect each segment's once.
      if (i == r0 || r.tokenLo != rows[static_cast<size_t>(i - r0 - 1)].tokenLo) {
        const int64_t lastToken = k.causal ? std::min(r1, std::min(k.n, r.tokenLo + k.segment)) : std::min(k.n, r.tokenLo + k.segment);
        for (int64_t c = r.tokenLo / b; c * b < lastToken; ++c) tiles.push_back(c);
        for (int64_t c = r.slotLo / b; r.slotHi > r.slotLo && c * b < r.slotHi; ++c) tiles.push_back(c);
      }
    }
    std::sort(tiles.begin(), tiles.end());
    tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
    for (const int64_t c : tiles) {
      const int64_t c0 = c * b, c1 = std::min(l.nKeys, c0 + b);
      bool full = true, band = true, any = false;
      for (int64_t i = r0; i < r1; ++i) {
        int64_t lo, hi;
        visibleIn(k, rows[static_cast<size_t>(i - r0)], c0, c1, &lo, &hi);
        any = any || hi > lo;
        full = full && lo == c0 && hi == c1;
        band = band && lo == c0 && hi == std::clamp(i + 1, c0, c1);
      }
      if (!any) continue;
      if (full) {
        l.addTile(static_cast<int32_t>(c), TileMask::Full);
      } else if (band) {
        l.addTile(static_cast<int32_t>(c), TileMask::Band);
      } else {
        std::vector<uint64_t> words(static_cast<size_t>(flashBitsWords(b)), 0);
        for (int64_t i = r0; i < r1; ++i) {
          int64_t lo, hi;
          visibleIn(k, rows[static_cast<size_t>(i - r0)], c0, c1, &lo, &hi);
          for (int64_t j = lo; j < hi; ++j) setFlashTileBit(words, b, i - r0, j - c0);
        }
        l.addBitsTile(static_cast<int32_t>(c), words);
      }
    }
    l.endRow();
  }
  l.finish();
  return l;
}

Qkv withSlotRows(const Qkv& qkv, const SlotKeys& k) {
  if (qkv.n() != k.n) throw Error(ErrorKind::InvalidArgument, "memory_slots keys were planned for n = " + std::to_string(k.n) + ", the input has " + std::to_string(qkv.n()));
  return withZeroKeyRows(qkv, k.keys());
}

}  // namespace attnscope::kernels
