#include "analysis/memory_trace.hpp"

#include <algorithm>
#include <numeric>

namespace attnscope {

namespace {

SlotProvenance provenanceOf(const float* w, int64_t tokens, int topTokens) {
  SlotProvenance p;
  double weighted = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    p.total += w[t];
    weighted += static_cast<double>(w[t]) * static_cast<double>(t);
  }
  p.meanPosition = p.total > 0 ? weighted / p.total : 0.0;
  std::vector<int64_t> order(static_cast<size_t>(tokens));
  std::iota(order.begin(), order.end(), 0);
  const int64_t keep = std::min<int64_t>(topTokens, tokens);
  std::partial_sort(order.begin(), order.begin() + keep, order.end(), [&](int64_t a, int64_t b) { return w[a] > w[b]; });
  for (int64_t k = 0; k < keep; ++k) p.top.push_back({order[static_cast<size_t>(k)], w[order[static_cast<size_t>(k)]]});
  return p;
}

}  // namespace

MemoryTrace memoryTraceFrom(const HeadExtras& extras, int topTokens) {
  MemoryTrace trace;
  trace.massPerSegment = extras.memoryMass;
  for (const MemorySnapshot& snap : extras.memory) {
    MemorySnapshotSummary s;
    s.segment = snap.segment;
    s.endToken = snap.endToken;
    trace.slotCount = snap.slotValues.rows();
    trace.width = snap.slotValues.cols();
    for (int64_t r = 0; r < snap.slotValues.rows(); ++r) s.slotNorms.push_back(snap.slotValues.row(r).cast<double>().norm());
    for (int64_t r = 0; r < snap.provenance.rows(); ++r)
      s.provenance.push_back(provenanceOf(snap.provenance.data() + r * snap.provenance.cols(), snap.provenance.cols(), topTokens));
    trace.snapshots.push_back(std::move(s));
  }
  if (!trace.empty()) trace.notes = extras.notes;
  return trace;
}

std::vector<float> memorySlotArray(const HeadExtras& extras) {
  std::vector<float> all;
  for (const MemorySnapshot& snap : extras.memory) all.insert(all.end(), snap.slotValues.data(), snap.slotValues.data() + snap.slotValues.size());
  return all;
}

}  // namespace attnscope
