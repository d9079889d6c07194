// hierarchical's block partition, shared by its cost model and its kernels.
#pragma once

#include <algorithm>
#include <cstdint>

#include "attention/variant.hpp"

namespace attnscope::hierarchical {

// Scratch per worker for one run of query rows: rows x (block + blocks)
// probabilities. The run is at most 64 rows and shrinks so that this stays
// near 1 MiB even when the block or the block count is huge.
constexpr int64_t kScratchFloats = int64_t{1} << 18;
constexpr int64_t kMaxRunRows = 64;

struct Blocks {
  int64_t n = 0, b = 0, count = 0;
  int64_t start(int64_t c) const { return c * b; }
  int64_t length(int64_t c) const { return std::min(b, n - c * b); }
  int64_t of(int64_t i) const { return i / b; }
  // Rows per run of queries inside one block.
  int64_t runRows() const { return std::clamp<int64_t>(kScratchFloats / (std::min(b, n) + count), 1, kMaxRunRows); }
};

inline Blocks blocksFor(const AttentionSpec& spec, int64_t n) {
  Blocks bl;
  bl.n = n;
  bl.b = std::min(spec.params.getInt("block"), std::max<int64_t>(1, n));
  bl.count = (n + bl.b - 1) / bl.b;
  return bl;
}

}  // namespace attnscope::hierarchical

namespace attnscope {
// Tracked bytes of the CPU kernel's forward (defined next to that kernel).
double hierarchicalWorkspaceBytes(const AttentionSpec& spec, const Shape& shape);
}  // namespace attnscope
