// memory_slots on the flash kernel. A token of segment t reads, in one
// softmax, the slots M_t and its segment's tokens (up to itself when causal);
// once the states M_1 .. M_{T-1} exist (the write recurrence,
// memory_slots_write_kernel.cuh), every read is flash attention over an
// extended key set, all segments in one launch. Keys and values per head:
//   [ K (n rows), zero padding to whole tiles, then for t = 1 .. T the
//     state M_t (S rows) padded to whole tiles ]
// (M_T, after the last write, is read by no token; it is the memory trace's
// last snapshot).
// in both K and V (slot keys and values are the slot contents). Each
// segment's slots start on a tile edge so a query block lists ceil(S / b)
// slot tiles, not one more. The layout is built from each row's two key
// intervals (its segment, its slots): Full where a tile is wholly visible to
// every row, Band (j <= i) on a causal diagonal, Bits elsewhere (segment
// edges inside a tile, partial slot tiles, padding).
// Host only, no CUDA: the CPU suite checks all of it.
#pragma once

#include <cstdint>
#include <string>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "flash_traits.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

struct SlotKeys {
  int64_t n = 0, slotCount = 1, segment = 1, segments = 1;
  int64_t block = FlashMmaTraits<64>::kBlockM;  // the layout's tile edge: the kernels' widest query tile (the same at every width), so no query rows idle
  bool causal = false;

  int64_t slotBase() const { return (n + block - 1) / block * block; }    // key index of M_1's first slot
  int64_t slotStride() const { return (slotCount + block - 1) / block * block; }
  int64_t slotStart(int64_t t) const { return slotBase() + (t - 1) * slotStride(); }  // t >= 1
  int64_t keys() const { return slotBase() + segments * slotStride(); }
};

// The variant's parameters at length n.
SlotKeys slotKeysFor(const AttentionSpec& spec, int64_t n);

// An upper bound on the bytes of memorySlotsFlashLayout's arrays, without building it.
int64_t memorySlotsLayoutBytesBound(const SlotKeys& keys);

// Empty when the flash kernel can run these reads within maxLayoutBytes of
// layout, else why not.
std::string memorySlotsFlashSupports(const SlotKeys& keys, int64_t maxLayoutBytes);

BlockLayout memorySlotsFlashLayout(const SlotKeys& keys);

// Q unchanged; K and V extended to keys.keys() rows with the padding and the
// slot rows zero (the write recurrence fills the slot rows on the device).
Qkv withSlotRows(const Qkv& qkv, const SlotKeys& keys);

}  // namespace attnscope::kernels
