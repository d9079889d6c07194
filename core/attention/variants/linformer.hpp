// Linformer's projections, exposed so tests and factor views can build E and F
// explicitly. The variant itself never materialises them whole.
#pragma once

#include <cstdint>

#include "attention/variant.hpp"

namespace attnscope {

// The projected length actually used: k clamped to n (a projection longer
// than the sequence adds no rank, and mean pooling needs a token per row).
int64_t linformerRank(const AttentionSpec& spec, int64_t n);

// E (valueSide = false) or F (valueSide = true), [linformerRank x n].
// gaussian: entry (r, j) is a counter-based N(0, 1/k) draw keyed by (seed, E|F, r, j)
//           (share_ef: F uses E's draws);
// mean_pool: row r averages tokens [r n / k, (r + 1) n / k).
Mat linformerProjection(const AttentionSpec& spec, int64_t n, bool valueSide);

}  // namespace attnscope
