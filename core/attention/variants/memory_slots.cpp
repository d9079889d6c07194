// memory_slots: S slots of width d carried across segments of length L
// (DESIGN §3).
//   Read (segment t): each token attends over [slots; segment tokens] in one
//   softmax; slot keys and values are the slot contents M. The segment part is
//   causal (j <= i) when spec.causal, the whole segment otherwise.
//   Write (after segment t): M <- g M + (1 - g) softmax(s M K_seg^T) V_seg.
// The memory is empty before the first write: segment 0 reads only its own
// tokens, and the first write fills the slots, M = softmax(s M0 K_0^T) V_0,
// with M0 = seeded N(0, 1) slot queries (there is nothing yet to keep, so the
// gate applies from the second write). Hence M = P V exactly, where the
// provenance P [S x n] holds each slot's weights over tokens (rows sum to 1),
// and the token-to-token operator A, with slot weights folded onto tokens
// through P, is exact, linear in the values and row-stochastic.
// apply(x) takes every weight from the real (q, k, v) and carries x on the
// value side (the slots' value part is P x).
#include "attention/variants/memory_slots.hpp"

#include <algorithm>
#include <cmath>

#include "attention/registry.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"
#include "common/rng.hpp"

namespace attnscope {

namespace {

class MemorySlotsVariant final : public Variant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "memory_slots";
      v.title = "Memory slots (segment recurrence through a gated slot memory)";
      v.family = "recurrent";
      v.complexity = "O(n (S + L) d)";
      v.memoryComplexity = "O(S d + L^2)";
      v.useWhen = "streams far longer than any window, where a compressed summary of the past is enough";
      v.loses = "detail: everything before the segment passes through S slots, written by soft attention and decayed by the gate";
      v.params = {intParam("slots", 16, 1, 1024, "number of memory slots S", "slots"),
                  intParam("segment", 128, 1, 1 << 20, "segment length L", "tokens"),
                  floatParam("gate", 0.5, 0.0, 1.0, "share of the old slot contents kept at each write")};
      v.supportsCausal = true;
      v.maskBased = false;
      v.displayOrder = 8;
      return v;
    }();
    return i;
  }

  // The slots are read as keys and as values, so V must be as wide as Q and K
  // (otherwise the write would read d columns of a narrower V).
  void validate(const AttentionSpec& spec, const Shape& shape) const override {
    Variant::validate(spec, shape);
    if (shape.dv > 0 && shape.dv != shape.d)
      throw Error(ErrorKind::InvalidArgument, "memory_slots reads its slots as keys and as values, so V must be as wide as Q and K (d = " +
                                                  std::to_string(shape.d) + ", dv = " + std::to_string(shape.dv) + ")");
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const double n = static_cast<double>(s.n), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv), heads = static_cast<double>(s.heads);
    const double S = static_cast<double>(spec.params.getInt("slots")), L = std::min(static_cast<double>(spec.params.getInt("segment")), std::max(n, 1.0));
    const double tokenPairs = s.causal ? n * (L + 1) / 2 : n * L;
    CostEstimate c;
    c.pairs = heads * (n * S + tokenPairs + n * S);  // reads of slots and tokens, plus writes
    c.flops = heads * ((n * S + tokenPairs) * 2.0 * (d + dv) + n * S * 2.0 * (d + 2.0 * dv));
    c.bytesRead = 4.0 * heads * n * (2.0 * d + dv);
    c.bytesWritten = 4.0 * heads * n * dv;
    c.workspaceBytes = memorySlotsWorkspaceBytes(spec, s);
    return c;
  }
};

const RegisterVariant<MemorySlotsVariant> registration;

}  // namespace

void attachMemorySlotsProvenance(std::vector<MemorySnapshot>& snapshots, ConstMatRef stored, int64_t segment, double gate, std::vector<std::string>& notes) {
  if (stored.size() == 0) {
    if (!snapshots.empty()) notes.push_back("provenance omitted from the memory trace for n > " + std::to_string(kMemorySlotsProvenanceMaxN));
    return;
  }
  const int64_t n = stored.cols(), slotCount = stored.rows();
  int64_t floats = 0;
  bool skipped = false;
  for (size_t k = 0; k < snapshots.size(); ++k) {
    MemorySnapshot& snap = snapshots[k];
    if (floats + slotCount * snap.endToken > kMemorySlotsProvenanceBudget && k + 1 < snapshots.size()) {
      skipped = true;
      continue;
    }
    snap.provenance.resize(slotCount, snap.endToken);
    for (int64_t u = 0; u * segment < snap.endToken; ++u) {
      const int64_t a = u * segment, len = std::min(segment, n - a);
      snap.provenance.middleCols(a, len) = stored.middleCols(a, len) * std::pow(static_cast<float>(gate), static_cast<float>(snap.segment - u));
    }
    floats += slotCount * snap.endToken;
  }
  if (skipped) notes.push_back("provenance kept for the earlier snapshots and the last one only (size budget)");
}

Mat memorySlotsInitialQueries(int64_t slots, int64_t d) {
  Rng rng(0x5107A11Full);
  Mat m(slots, d);
  for (int64_t s = 0; s < slots; ++s)
    for (int64_t c = 0; c < d; ++c) m(s, c) = static_cast<float>(rng.normal());
  return m;
}

}  // namespace attnscope
