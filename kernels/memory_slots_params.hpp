// The host/device contract of memory_slots' write recurrence on the GPU
// (memory_slots_write_kernel.cuh). Plain data, no CUDA.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attnscope::kernels {

// K and V are the flash kernel's extended inputs (memory_slots_flash.hpp),
// fp32, [heads, nKeys, d] contiguous: token rows [0, n) are read, and the
// slot rows slotBase + (t - 1) * slotStride + [0, S) receive the state M_t
// (t = 1 .. segments) in both K and V.
struct SlotWriteParams {
  float* k = nullptr;
  float* v = nullptr;
  const float* initial = nullptr;  // [S, d]: the seeded slot queries of the first write (shared by heads)
  float* weights = nullptr;        // [heads, S, segment]: scratch for one segment's write weights
  // [heads, S, n] or null: every segment's final write weights in its own
  // columns (times 1 - g after the first write, undecayed), the memory
  // trace's provenance (attachMemorySlotsProvenance).
  float* provenance = nullptr;
  int heads = 1;
  int64_t n = 0, nKeys = 0, d = 0;
  int64_t slotCount = 1, segment = 1, segments = 1;
  int64_t slotBase = 0, slotStride = 1;
  float scale = 1.0f;  // 1 / sqrt(d)
  float gate = 0.5f;   // share of the old contents kept at each write after the first
};

// One block per (slot group, head), each serial over segments: a slot's
// write reads only its own row of M, so groups never wait on each other.
inline constexpr int kSlotWriteThreads = 256;
// Slots per block. 8 fills every phase of a 256-thread block: one warp per
// slot row in the softmax, one score per thread per full key chunk (8 x 32),
// and 8 * d >= 256 outputs of W V for d >= 32. Fewer would give more blocks
// (default S = 16, H = 8: 16 blocks at 8, 32 at 4) but idle half of each.
// Unmeasured: the first thing to time.
inline constexpr int kSlotWriteSlotsPerBlock = 8;
// The write scores stage the segment's keys in shared memory this many rows
// at a time (padded rows: column reads across rows do not share banks), so
// they are read with coalesced loads instead of one key row per thread.
inline constexpr int kSlotWriteKeyChunk = 32;
inline constexpr size_t slotWriteSmemBytes(int64_t d) { return static_cast<size_t>(kSlotWriteKeyChunk * (d + 1)) * sizeof(float); }

// The write's grid, for the launch and the emulated runner alike: x = slot
// groups, y = heads (as the other kernels put heads in y). Zero blocks when
// there is nothing to write.
struct SlotWriteGrid {
  unsigned groups = 0, heads = 0;
  bool empty() const { return groups == 0 || heads == 0; }
};
inline SlotWriteGrid slotWriteGrid(const SlotWriteParams& p) {
  if (p.heads < 1 || p.segments < 1 || p.slotCount < 1) return {};
  return {static_cast<unsigned>((p.slotCount + kSlotWriteSlotsPerBlock - 1) / kSlotWriteSlotsPerBlock), static_cast<unsigned>(p.heads)};
}

}  // namespace attnscope::kernels
