// The block-sparse layout as the flash kernel reads it: flat arrays (CSR over
// query blocks, one mask kind per tile, explicit bits, global flags) behind
// plain pointers, and the element rule over them. Host and device share this
// header, so the CPU suite checks the very rule the kernel runs against
// BlockLayout::allowed (tests/core/test_cuda_host_pieces.cpp).
#pragma once

#include <cstdint>

#include "tile_math.hpp"

namespace attnscope::kernels {

// Tile kinds as stored per entry: the values of attnscope::TileMask (checked
// by a static_assert in flash_layout_host.cpp).
inline constexpr uint8_t kFlashFull = 0, kFlashBand = 1, kFlashGlobalOnly = 2, kFlashBits = 3;

// Pointers are device pointers in a launch and host pointers in the CPU
// emulation. Heads either share one layout (head strides 0) or each has its
// own, concatenated: head h's CSR starts at rowStart + h * rowStartHeadStride,
// and its entries (and bits offsets) are absolute indices into the
// concatenated arrays, so nothing else needs a per-head offset.
struct FlashLayoutView {
  int64_t n = 0, nKeys = 0;
  int64_t block = 64;  // the layout's tile edge (any value >= 1)
  int64_t rowBlocks = 0, colBlocks = 0;
  bool causal = false;
  bool implicitDense = false;  // every tile (to the diagonal when causal), all Full, nothing stored
  int64_t bandLo = 0, bandHi = 0, dilation = 1;

  const int64_t* rowStart = nullptr;    // [heads or 1] x (rowBlocks + 1)
  const int32_t* colBlock = nullptr;    // per entry
  const uint8_t* kind = nullptr;        // per entry, kFlashFull ... kFlashBits
  const int64_t* bitsOffset = nullptr;  // per entry: word offset into bits, -1 unless Bits
  const uint64_t* bits = nullptr;
  const uint8_t* globalRow = nullptr;   // [heads or 1] x n, or null (no global rows)
  const uint8_t* globalCol = nullptr;   // [heads or 1] x nKeys, or null
  int64_t rowStartHeadStride = 0;       // 0 (shared) or rowBlocks + 1
  int64_t globalRowHeadStride = 0;      // 0 or n
  int64_t globalColHeadStride = 0;      // 0 or nKeys
};

ATTNSCOPE_HD int64_t flashRowBegin(const FlashLayoutView& v, int head, int64_t qb) {
  if (v.implicitDense) return qb * v.colBlocks;
  return v.rowStart[head * v.rowStartHeadStride + qb];
}

ATTNSCOPE_HD int64_t flashRowEnd(const FlashLayoutView& v, int head, int64_t qb) {
  if (v.implicitDense) {
    const int64_t diag = qb + 1 < v.colBlocks ? qb + 1 : v.colBlocks;
    return qb * v.colBlocks + (v.causal ? diag : v.colBlocks);
  }
  return v.rowStart[head * v.rowStartHeadStride + qb + 1];
}

ATTNSCOPE_HD int32_t flashTileCol(const FlashLayoutView& v, int64_t entry) {
  return v.implicitDense ? static_cast<int32_t>(entry % v.colBlocks) : v.colBlock[entry];
}

ATTNSCOPE_HD uint8_t flashTileKind(const FlashLayoutView& v, int64_t entry) { return v.implicitDense ? kFlashFull : v.kind[entry]; }

ATTNSCOPE_HD int64_t flashTileBits(const FlashLayoutView& v, int64_t entry) { return v.implicitDense ? -1 : v.bitsOffset[entry]; }

ATTNSCOPE_HD bool flashGlobalRow(const FlashLayoutView& v, int head, int64_t i) {
  return v.globalRow != nullptr && v.globalRow[head * v.globalRowHeadStride + i] != 0;
}

ATTNSCOPE_HD bool flashGlobalCol(const FlashLayoutView& v, int head, int64_t j) {
  return v.globalCol != nullptr && v.globalCol[head * v.globalColHeadStride + j] != 0;
}

// The element rule of one listed tile with the per-position facts already
// looked up. Exactly BlockLayout::allowed: bounds, then causal, then the
// tile's own rule OR a global row OR a global column. The reference rule:
// host code uses it, and the kernels run flashTileAllowsFast below.
ATTNSCOPE_HD bool flashTileAllows(const FlashLayoutView& v, uint8_t kind, int64_t bitsOffset, int64_t i, int64_t j, bool rowGlobal, bool colGlobal) {
  if (i < 0 || j < 0 || i >= v.n || j >= v.nKeys) return false;
  if (v.causal && j > i) return false;
  bool base = false;
  if (kind == kFlashFull) {
    base = true;
  } else if (kind == kFlashBand) {
    const int64_t off = j - i;
    base = off >= v.bandLo && off <= v.bandHi && (v.dilation <= 1 || ((off % v.dilation) + v.dilation) % v.dilation == 0);
  } else if (kind == kFlashBits) {
    const int64_t local = (i % v.block) * v.block + (j % v.block);
    const uint64_t word = v.bits[bitsOffset + local / 64];
    base = ((word >> (local % 64)) & 1u) != 0;
  }  // kFlashGlobalOnly: only the global flags below
  return base || rowGlobal || colGlobal;
}

// The whole rule for entry `entry` of head `head`, looking everything up.
ATTNSCOPE_HD bool flashAllowed(const FlashLayoutView& v, int head, int64_t entry, int64_t i, int64_t j) {
  if (i < 0 || j < 0 || i >= v.n || j >= v.nKeys) return false;
  return flashTileAllows(v, flashTileKind(v, entry), flashTileBits(v, entry), i, j, flashGlobalRow(v, head, i), flashGlobalCol(v, head, j));
}

// The same rule as the kernels run it, with no division per score (on the
// GPU a 64-bit division or modulo is a call into a software routine): what
// depends only on the query row is worked out once per row (FlashRowRule),
// what depends only on the key once per slot (flashKeyTerm), and a score
// costs compares, an add, a shift and at most one load. flashTileAllows stays
// the reference; the CPU suite holds this one to it.
//
// Dilation without 64-bit division: j - i is a multiple of the dilation
// exactly when i and j leave the same residue, and both are below 2^31
// (flashSupports and flashCheckParams refuse more rows or keys), so residues
// fit 32 bits. A dilation of 2^31 or more is clamped to 2^31: every position
// is then its own residue under either modulus, so the rule is unchanged.
ATTNSCOPE_HD uint32_t flashDilationResidue(const FlashLayoutView& v, int64_t position) {
  const uint32_t modulus = v.dilation < (int64_t{1} << 31) ? static_cast<uint32_t>(v.dilation) : uint32_t{1} << 31;
  return static_cast<uint32_t>(position) % modulus;
}

// A Bits tile's bit index within the tile, (i mod block) * block + j mod
// block, fits 32 bits up to this edge (a tile of 2^32 bits, 512 MiB); kept
// 32-bit per row, it costs the 16-bit kernels far fewer registers than 64-bit.
// flashSupports and flashCheckParams refuse Bits tiles on wider blocks.
inline constexpr int64_t kFlashBitsMaxBlock = int64_t{1} << 16;

// What the rule needs of query row i, 0 <= i < 2^31.
struct FlashRowRule {
  int64_t i;
  uint32_t bitRow;   // (i mod block) * block: the row's first bit within a Bits tile
  uint32_t residue;  // i mod dilation (0 unless dilation > 1)
  bool global;       // a global row
};

// qb is i's query block (i / block), which a kernel knows without dividing.
ATTNSCOPE_HD FlashRowRule flashRowRule(const FlashLayoutView& v, int64_t qb, int64_t i, bool global) {
  FlashRowRule r;
  r.i = i;
  r.bitRow = static_cast<uint32_t>((i - qb * v.block) * v.block);  // exact for block <= kFlashBitsMaxBlock, unused otherwise
  r.residue = v.dilation > 1 ? flashDilationResidue(v, i) : 0;
  r.global = global;
  return r;
}

// What a tile of kind `kind` needs of key j, which sits at column inTile
// (j mod block) of the tile: for Bits the absolute index in v.bits of the
// tile's bit (row 0, inTile), for Band with dilation j's residue, else 0.
ATTNSCOPE_HD int64_t flashKeyTerm(const FlashLayoutView& v, uint8_t kind, int64_t bitsOffset, int64_t j, int64_t inTile) {
  if (kind == kFlashBits) return bitsOffset * 64 + inTile;
  if (kind == kFlashBand && v.dilation > 1) return flashDilationResidue(v, j);
  return 0;
}

// flashTileAllows(v, kind, bitsOffset, i, j, row.global, colGlobal) for
// 0 <= i < n and 0 <= j < nKeys (the kernels mask rows past the block and
// padding slots before asking), with keyTerm = flashKeyTerm(...) of j.
ATTNSCOPE_HD bool flashTileAllowsFast(const FlashLayoutView& v, const FlashRowRule& row, uint8_t kind, int64_t keyTerm, int64_t j, bool colGlobal) {
  if (v.causal && j > row.i) return false;
  if (row.global || colGlobal) return true;
  if (kind == kFlashFull) return true;
  if (kind == kFlashBand) {
    const int64_t off = j - row.i;
    return off >= v.bandLo && off <= v.bandHi && (v.dilation <= 1 || keyTerm == row.residue);
  }
  if (kind == kFlashBits) {
    const int64_t bit = keyTerm + row.bitRow;  // non-negative: a shift and a mask, not a division
    return ((v.bits[bit >> 6] >> (bit & 63)) & 1u) != 0;
  }
  return false;  // kFlashGlobalOnly: only the global flags
}

// The kernels' walk, shared with the CPU tests. A query block's listed tiles
// form one "virtual" key sequence: tile e of the row contributes keys
// colBlock[e] * block + [0, block). The kernels visit it in chunks of their
// key tile, whatever the layout's block edge, so a chunk may span several
// narrow tiles or part of a wide one.

// Key index and tile entry of virtual slot t of the query block whose first
// entry is entryBegin (and, when asked, the key's column within its tile);
// key -1 for padding past the last key (short last block). The reference
// walk: the kernels step a cursor instead (below), and the CPU suite holds
// the cursor to this.
ATTNSCOPE_HD int64_t flashSlotKey(const FlashLayoutView& v, int64_t entryBegin, int64_t t, int64_t* entry, int64_t* inTile = nullptr) {
  const int64_t column = t % v.block;
  *entry = entryBegin + t / v.block;
  if (inTile) *inTile = column;
  const int64_t j = static_cast<int64_t>(flashTileCol(v, *entry)) * v.block + column;
  return j < v.nKeys ? j : -1;
}

// The same walk as the kernels take it, without 64-bit division (on the GPU
// a called routine): a cursor holds a slot's tile, counted from the query
// block's first entry, and its column within that tile, and steps forward by
// whole slots. A chunk's cursor steps from the last chunk's, and a slot's from
// its chunk's, so nothing divides by the block except when a step leaves the
// tile, and then in 32 bits: a column stays below the block and a step below
// 2^31, so their sum fits 32 bits for blocks up to kFlashMaxBlock
// (flashSupports, flashCheckParams and the probe refuse wider ones).
inline constexpr int64_t kFlashMaxBlock = (int64_t{1} << 31) - 1;

struct FlashSlotCursor {
  int64_t tile;     // the slot's tile: entry entryBegin + tile of the query block
  uint32_t column;  // the slot's column within that tile, below block
};

// The cursor `count` slots further on (count below 2^31).
ATTNSCOPE_HD FlashSlotCursor flashSlotStep(const FlashLayoutView& v, FlashSlotCursor at, uint32_t count) {
  const uint32_t block = static_cast<uint32_t>(v.block);
  uint32_t column = at.column + count;
  if (column >= block) {
    const uint32_t tiles = column / block;
    at.tile += tiles;
    column -= tiles * block;
  }
  at.column = column;
  return at;
}

// Key block of tile `tile` of the query block whose first entry is
// entryBegin. An implicit dense row lists the key blocks from 0 in order, so
// the tile is its own key block (flashTileCol's modulo is not needed).
ATTNSCOPE_HD int64_t flashRowTileCol(const FlashLayoutView& v, int64_t entryBegin, int64_t tile) {
  return v.implicitDense ? tile : v.colBlock[entryBegin + tile];
}

// flashSlotKey of the slot at `at` (which must lie within the row's tiles).
ATTNSCOPE_HD int64_t flashCursorKey(const FlashLayoutView& v, int64_t entryBegin, FlashSlotCursor at) {
  const int64_t j = flashRowTileCol(v, entryBegin, at.tile) * v.block + at.column;
  return j < v.nKeys ? j : -1;
}

// Query rows [rowBegin, rowLimit) of kernel query tile `tileIndex` (a block
// index along grid x), and its layout query block. A layout block wider than
// the kernel tile is covered by several tiles; a narrower one leaves the
// tile's spare rows idle (rowLimit stops at the layout block's end).
struct FlashQueryTile {
  int64_t qb;
  int64_t rowBegin;
  int64_t rowLimit;
};

ATTNSCOPE_HD int64_t flashTilesPerBlock(const FlashLayoutView& v, int tileRows) { return (v.block + tileRows - 1) / tileRows; }

// Grid x of a launch: every kernel query tile of every layout query block.
ATTNSCOPE_HD int64_t flashGridTiles(const FlashLayoutView& v, int tileRows) { return v.rowBlocks * flashTilesPerBlock(v, tileRows); }

ATTNSCOPE_HD FlashQueryTile flashQueryTile(const FlashLayoutView& v, int64_t tileIndex, int tileRows) {
  const int64_t sub = flashTilesPerBlock(v, tileRows);
  FlashQueryTile t;
  t.qb = tileIndex / sub;
  t.rowBegin = t.qb * v.block + (tileIndex % sub) * tileRows;
  const int64_t blockEnd = t.qb * v.block + v.block;
  t.rowLimit = blockEnd < v.n ? blockEnd : v.n;
  return t;
}

}  // namespace attnscope::kernels
