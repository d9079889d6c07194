// The memory-slot variant's starting point, exposed so tests can follow the
// recurrence by hand.
#pragma once

#include <cstdint>

#include <string>
#include <vector>

#include "attention/variant.hpp"
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

// Provenance (each slot's weights over the tokens read so far) is kept up to
// this n, and at most this many floats over all snapshots (the last snapshot
// always has it).
inline constexpr int64_t kMemorySlotsProvenanceMaxN = 4096;
inline constexpr int64_t kMemorySlotsProvenanceBudget = 16 << 20;

// Fills the snapshots' provenance from `stored` [slots x n]: segment u's
// columns hold its write weights, times 1 - gate after the first write,
// undecayed; after write t the provenance is that times gate^(t - u). The
// notes say what was left out. Both backends call this.
void attachMemorySlotsProvenance(std::vector<MemorySnapshot>& snapshots, ConstMatRef stored, int64_t segment, double gate, std::vector<std::string>& notes);

}  // namespace attnscope
