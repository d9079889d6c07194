// The memory-slot variant's starting point, exposed so tests can follow the
// recurrence by hand.
#pragma once

#include <cstdint>

#include "common/types.hpp"

namespace attnscope {

// M0 [slots x d]: seeded N(0, 1) slot queries for the first write. They never
// enter a value: the memory is empty until that first write (see memory_slots.cpp).
Mat memorySlotsInitialQueries(int64_t slots, int64_t d);

// The memory trace keeps at most this many snapshots of the slot contents:
// after every stride-th write, and after the last.
inline constexpr int64_t kMemorySlotsMaxSnapshots = 256;
inline int64_t memorySlotsSnapshotStride(int64_t segments) { return (segments + kMemorySlotsMaxSnapshots - 1) / kMemorySlotsMaxSnapshots; }
inline bool memorySlotsKeepsSnapshot(int64_t t, int64_t segments) { return (t + 1) % memorySlotsSnapshotStride(segments) == 0 || t == segments - 1; }

}  // namespace attnscope
