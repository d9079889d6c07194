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

// One block per head; the recurrence is serial over segments.
inline constexpr int kSlotWriteThreads = 256;
// The write scores stage the segment's keys in shared memory this many rows
// at a time (padded rows: column reads across rows do not share banks), so
// they are read with coalesced loads instead of one key row per thread.
inline constexpr int kSlotWriteKeyChunk = 32;
inline constexpr size_t slotWriteSmemBytes(int64_t d) { return static_cast<size_t>(kSlotWriteKeyChunk * (d + 1)) * sizeof(float); }

}  // namespace attnscope::kernels
