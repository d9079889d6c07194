// Large workspace blocks kept between kernel calls. A kernel's big buffers
// (a head's packed keys, a probe's score rows) are freed at the end of each
// call and the next call asks for the same sizes again; fresh pages from the
// OS cost a zeroing page fault each (8% of a sliding-window run at n = 32768,
// d = 64, measured with perf). Freed blocks of at least kMinBytes are kept
// here, up to kMaxBytes in all, and handed back to a request they fit.
// Cached blocks are free memory: no MemoryMeter counts them.
#pragma once

#include <cstddef>

namespace attnscope {

namespace block_cache {

constexpr size_t kMinBytes = size_t{1} << 20;
constexpr size_t kMaxBytes = size_t{256} << 20;

// A block of at least `floats` floats (and at most twice that), with its
// capacity in *capacity; a fresh allocation when none fits.
float* take(size_t floats, size_t* capacity);
// Gives a block back (deleted when small or when the cache is full).
void give(float* block, size_t capacity);
// Bytes held now (tests).
size_t cachedBytes();
// Deletes every cached block.
void clear();

}  // namespace block_cache

}  // namespace attnscope
