// Device pieces both flash kernels share: the block's query tile, and the
// chunk of key slots staged in shared memory with where each came from (the
// walk itself is in flash_layout.hpp, shared with the CPU tests). Padding
// slots (past the last key) hold key -1 and K = V = 0. A chunk's table is
// filled before its K and V copies are issued, and the copies read each
// slot's key from it: the slot's key is worked out once, not per copy.
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"
#include "flash_params.hpp"

namespace attnscope::kernels::flash {

// This block's query tile (grid x is the tile index).
__device__ __forceinline__ FlashQueryTile queryTileOf(const FlashLayoutView& v, int tileRows) { return flashQueryTile(v, blockIdx.x, tileRows); }

// Shared-memory record of one chunk's slots.
struct SlotTable {
  int64_t* keyTerm;  // the key's part of its tile's rule (flashKeyTerm), so scores divide by nothing
  int32_t* key;
  uint8_t* kind;
  uint8_t* colGlobal;
};

__device__ __forceinline__ SlotTable slotTableAt(unsigned char* base, int slotCount) {
  SlotTable s;
  s.keyTerm = reinterpret_cast<int64_t*>(base);
  s.key = reinterpret_cast<int32_t*>(base + sizeof(int64_t) * slotCount);
  s.kind = base + (sizeof(int64_t) + sizeof(int32_t)) * slotCount;
  s.colGlobal = s.kind + slotCount;
  return s;
}

// Fills the slot table for the chunk of slotCount slots whose first slot is
// at `chunk` in a row of rowTiles tiles (flashSlotStep: each slot steps from
// the chunk's cursor, so nothing divides in 64 bits); returns whether this
// thread saw a slot that needs element masking (padding, a non-Full tile, a
// key right of the tile's first row when causal). Callers combine the flags
// with __syncthreads_or, which is also the barrier that publishes the table.
__device__ __forceinline__ bool fillSlots(const FlashLayoutView& v, int head, int64_t entryBegin, int64_t rowTiles, FlashSlotCursor chunk, int slotCount,
                                          int64_t firstRow, SlotTable s) {
  bool needsMask = false;
  for (int c = threadIdx.x; c < slotCount; c += blockDim.x) {
    const FlashSlotCursor at = flashSlotStep(v, chunk, static_cast<uint32_t>(c));
    int32_t key = -1;
    uint8_t kind = kFlashGlobalOnly;
    int64_t keyTerm = 0;
    bool colGlobal = false;
    if (at.tile < rowTiles) {
      const int64_t entry = entryBegin + at.tile;
      const int64_t j = flashCursorKey(v, entryBegin, at);
      kind = flashTileKind(v, entry);
      if (j >= 0) {
        key = static_cast<int32_t>(j);
        keyTerm = flashKeyTerm(v, kind, flashTileBits(v, entry), j, at.column);
        colGlobal = flashGlobalCol(v, head, j);
      }
    }
    s.key[c] = key;
    s.kind[c] = kind;
    s.keyTerm[c] = keyTerm;
    s.colGlobal[c] = colGlobal ? 1 : 0;
    needsMask = needsMask || key < 0 || kind != kFlashFull || (v.causal && key > firstRow);
  }
  return needsMask;
}

// Whether a query row of the tile (0 <= i < n, its part of the rule from
// flashRowRule) may see slot c.
__device__ __forceinline__ bool slotAllows(const FlashLayoutView& v, const SlotTable& s, int c, const FlashRowRule& row) {
  const int32_t j = s.key[c];
  if (j < 0) return false;
  return flashTileAllowsFast(v, row, s.kind[c], s.keyTerm[c], j, s.colGlobal[c] != 0);
}

}  // namespace attnscope::kernels::flash
