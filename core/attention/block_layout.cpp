#include "attention/block_layout.hpp"

#include <algorithm>
#include <numeric>

#include "common/error.hpp"

namespace attnscope {

void BlockLayout::addTile(int32_t keyBlock, TileMask m) {
  if (keyBlock < 0 || keyBlock >= colBlocks())
    throw Error(ErrorKind::InvalidArgument, "layout tile key block " + std::to_string(keyBlock) + " outside [0, " + std::to_string(colBlocks()) + ")");
  colBlock.push_back(keyBlock);
  mask.push_back(m);
  bitsOffset.push_back(-1);
}

void BlockLayout::addBitsTile(int32_t keyBlock, const std::vector<uint64_t>& tileBits) {
  addTile(keyBlock, TileMask::Bits);
  bitsOffset.back() = static_cast<int64_t>(bits.size());
  const size_t words = static_cast<size_t>((block * block + 63) / 64);
  if (tileBits.size() != words) throw Error(ErrorKind::InvalidArgument, "bits tile has the wrong size");
  bits.insert(bits.end(), tileBits.begin(), tileBits.end());
}

void BlockLayout::endRow() { rowStart.push_back(static_cast<int64_t>(colBlock.size())); }

void BlockLayout::finish() {
  if (implicitDense) return;
  if (static_cast<int64_t>(rowStart.size()) != rowBlocks() + 1)
    throw Error(ErrorKind::InvalidArgument, "layout lists " + std::to_string(rowStart.size() - 1) + " query blocks, expected " + std::to_string(rowBlocks()));
  for (int64_t qb = 0; qb < rowBlocks(); ++qb) {
    const int64_t b = rowStart[static_cast<size_t>(qb)], e = rowStart[static_cast<size_t>(qb) + 1];
    std::vector<int64_t> order(static_cast<size_t>(e - b));
    std::iota(order.begin(), order.end(), b);
    std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return colBlock[static_cast<size_t>(x)] < colBlock[static_cast<size_t>(y)]; });
    std::vector<int32_t> cb;
    std::vector<TileMask> mk;
    std::vector<int64_t> bo;
    for (int64_t idx : order) {
      cb.push_back(colBlock[static_cast<size_t>(idx)]);
      mk.push_back(mask[static_cast<size_t>(idx)]);
      bo.push_back(bitsOffset[static_cast<size_t>(idx)]);
    }
    for (size_t t = 1; t < cb.size(); ++t)
      if (cb[t] == cb[t - 1]) throw Error(ErrorKind::InvalidArgument, "layout lists key block " + std::to_string(cb[t]) + " twice for query block " + std::to_string(qb));
    std::copy(cb.begin(), cb.end(), colBlock.begin() + b);
    std::copy(mk.begin(), mk.end(), mask.begin() + b);
    std::copy(bo.begin(), bo.end(), bitsOffset.begin() + b);
  }
  if (!globalRow.empty() && static_cast<int64_t>(globalRow.size()) != n) throw Error(ErrorKind::InvalidArgument, "globalRow has the wrong length");
  if (!globalCol.empty() && static_cast<int64_t>(globalCol.size()) != nKeys) throw Error(ErrorKind::InvalidArgument, "globalCol has the wrong length");
}

bool BlockLayout::allowed(int64_t entry, int64_t i, int64_t j) const {
  if (i < 0 || j < 0 || i >= n || j >= nKeys) return false;
  if (causal && j > i) return false;
  bool base = false;
  switch (tileMask(entry)) {
    case TileMask::Full: base = true; break;
    case TileMask::Band: {
      const int64_t off = j - i;
      base = off >= bandLo && off <= bandHi && (dilation <= 1 || ((off % dilation) + dilation) % dilation == 0);
      break;
    }
    case TileMask::GlobalOnly: base = false; break;
    case TileMask::Bits: {
      const int64_t local = (i % block) * block + (j % block);
      const uint64_t word = bits[static_cast<size_t>(bitsOffset[static_cast<size_t>(entry)] + local / 64)];
      base = (word >> (local % 64)) & 1u;
      break;
    }
  }
  return base || isGlobalRow(i) || isGlobalCol(j);
}

int64_t BlockLayout::countAllowedPairs() const {
  int64_t count = 0;
  for (int64_t qb = 0; qb < rowBlocks(); ++qb)
    for (int64_t e = rowBegin(qb); e < rowEnd(qb); ++e) {
      const int64_t kb = tileCol(e);
      for (int64_t i = qb * block; i < std::min(n, (qb + 1) * block); ++i)
        for (int64_t j = kb * block; j < std::min(nKeys, (kb + 1) * block); ++j) count += allowed(e, i, j) ? 1 : 0;
    }
  return count;
}

int64_t BlockLayout::storageBytes() const {
  return static_cast<int64_t>(rowStart.size() * sizeof(int64_t) + colBlock.size() * (sizeof(int32_t) + sizeof(TileMask) + sizeof(int64_t)) +
                              bits.size() * sizeof(uint64_t) + globalRow.size() + globalCol.size());
}

int64_t BlockLayout::entries() const {
  if (!implicitDense) return static_cast<int64_t>(colBlock.size());
  int64_t total = 0;
  for (int64_t qb = 0; qb < rowBlocks(); ++qb) total += rowEnd(qb) - rowBegin(qb);
  return total;
}

BlockLayout denseLayout(int64_t n, int64_t block, bool causal) {
  BlockLayout layout;
  layout.n = layout.nKeys = n;
  layout.block = block;
  layout.causal = causal;
  layout.implicitDense = true;
  layout.rowStart.clear();
  return layout;
}

}  // namespace attnscope
