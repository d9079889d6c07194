// The block-sparse description shared by every mask-based variant (DESIGN §2).
// One layout drives the sparsity map, the CPU kernel, the CUDA kernel and the
// cost model. Storage is O(listed blocks), never O(n^2).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// How a listed (query block, key block) tile is masked element-wise.
enum class TileMask : uint8_t {
  Full,        // every pair in the tile
  Band,        // bandLo <= j - i <= bandHi and (j - i) % dilation == 0
  GlobalOnly,  // only pairs whose row or column is global
  Bits,        // explicit bits, block*block per tile, row-major
};

struct BlockLayout {
  int64_t n = 0;       // queries
  int64_t nKeys = 0;   // keys (== n for self-attention)
  int64_t block = 64;  // tile edge in tokens, for rows and columns
  bool causal = false; // additionally require j <= i
  // Every query block lists every key block (up to the diagonal when causal),
  // all Full, without storing them: dense attention costs no layout memory.
  bool implicitDense = false;

  // CSR over query blocks: entries rowStart[qb] .. rowStart[qb+1]-1.
  std::vector<int64_t> rowStart{0};
  std::vector<int32_t> colBlock;
  std::vector<TileMask> mask;
  std::vector<int64_t> bitsOffset;  // per entry: word offset into bits (Bits tiles), else -1
  std::vector<uint64_t> bits;

  int64_t bandLo = 0, bandHi = 0, dilation = 1;
  // Per position flags (empty = none); a global row attends every listed key,
  // a global column is attended by every listed query.
  std::vector<uint8_t> globalRow, globalCol;
  // Informational, not read by the kernels: key blocks listed in full for every
  // query block (BigBird's global blocks), so analysis can find global tokens.
  std::vector<int32_t> globalKeyBlocks;

  int64_t rowBlocks() const { return (n + block - 1) / block; }
  int64_t colBlocks() const { return (nKeys + block - 1) / block; }
  int64_t entries() const;

  // Tile access that works for stored and implicit layouts.
  int64_t rowBegin(int64_t qb) const { return implicitDense ? qb * colBlocks() : rowStart[static_cast<size_t>(qb)]; }
  int64_t rowEnd(int64_t qb) const {
    return implicitDense ? qb * colBlocks() + (causal ? std::min(qb + 1, colBlocks()) : colBlocks()) : rowStart[static_cast<size_t>(qb) + 1];
  }
  int32_t tileCol(int64_t e) const { return implicitDense ? static_cast<int32_t>(e % colBlocks()) : colBlock[static_cast<size_t>(e)]; }
  TileMask tileMask(int64_t e) const { return implicitDense ? TileMask::Full : mask[static_cast<size_t>(e)]; }

  // Building: call beginRow() for query blocks 0, 1, ... in order, then
  // add() its tiles (any order, no repeats), then finish().
  void addTile(int32_t keyBlock, TileMask m);
  void addBitsTile(int32_t keyBlock, const std::vector<uint64_t>& tileBits);
  void endRow();
  // Checks CSR consistency, sorts each row's tiles, rejects repeats.
  void finish();

  // Element rule, shared by every backend and by the tests.
  bool allowed(int64_t entry, int64_t i, int64_t j) const;
  bool isGlobalRow(int64_t i) const { return !globalRow.empty() && globalRow[static_cast<size_t>(i)]; }
  bool isGlobalCol(int64_t j) const { return !globalCol.empty() && globalCol[static_cast<size_t>(j)]; }

  // Exact count of allowed pairs (walks every listed tile; O(entries*block^2)).
  int64_t countAllowedPairs() const;
  // Bytes the layout itself occupies.
  int64_t storageBytes() const;
};

// A layout where every query block lists every key block (dense attention).
BlockLayout denseLayout(int64_t n, int64_t block, bool causal);

}  // namespace attnscope
