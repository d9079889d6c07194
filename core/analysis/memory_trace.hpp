// What a recurrent variant remembers (DESIGN §5): memory_slots' slot contents
// after each kept segment, their norms, and which tokens each slot holds
// (provenance); transformer_xl's (and memory_slots') mass on memory per
// segment. Built from the variant's HeadExtras; no recomputation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attention/variant.hpp"

namespace attnscope {

struct ProvenanceToken {
  int64_t token = 0;
  double weight = 0;
};

struct SlotProvenance {
  std::vector<ProvenanceToken> top;  // heaviest tokens, heaviest first
  double meanPosition = 0;           // sum_t w_t t / sum_t w_t
  double total = 0;                  // sum_t w_t (1 for a full write history)
};

struct MemorySnapshotSummary {
  int64_t segment = 0;
  int64_t endToken = 0;
  std::vector<double> slotNorms;             // Euclidean norm of each slot's contents
  std::vector<SlotProvenance> provenance;    // per slot; empty when the variant left it out
};

struct MemoryTrace {
  int64_t slotCount = 0, width = 0;  // not "slots": Qt reserves that word
  std::vector<MemorySnapshotSummary> snapshots;
  std::vector<double> massPerSegment;  // attention mass on memory, per segment
  std::vector<std::string> notes;      // the variant's own notes (kept segments, omitted provenance)
  bool empty() const { return snapshots.empty() && massPerSegment.empty(); }
};

// topTokens: how many provenance tokens to keep per slot.
MemoryTrace memoryTraceFrom(const HeadExtras& extras, int topTokens = 5);

// Slot contents of every snapshot as one [snapshots x slots x width] block,
// row-major (what --out-memory writes).
std::vector<float> memorySlotArray(const HeadExtras& extras);

}  // namespace attnscope
