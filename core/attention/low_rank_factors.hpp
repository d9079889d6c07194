// A head's attention operator held as factors: A(i, j) = s_i (L_i . R_j),
// and 0 for j > i when causal. Linformer's A = P F is one (L = P, R = F^T),
// performer's A = diag(1 / den) phi(Q) phi(K)^T another. Plain data, so any
// backend can form A's map from them (n^2 r work that a device does fast)
// while products with A stay O(n r) per column (analysis/low_rank_products).
#pragma once

#include <vector>

#include "common/types.hpp"

namespace attnscope {

struct LowRankFactors {
  Mat left;                    // [n x r]
  Mat right;                   // [nKeys x r]
  std::vector<float> rowScale; // [n] s_i; empty: every s_i is 1
  bool causal = false;         // j > i is masked (then nKeys == n)

  int64_t n() const { return left.rows(); }
  int64_t keys() const { return right.rows(); }
  int64_t rank() const { return left.cols(); }
  float scale(int64_t i) const { return rowScale.empty() ? 1.0f : rowScale[static_cast<size_t>(i)]; }
  int64_t bytes() const { return 4 * (left.size() + right.size() + static_cast<int64_t>(rowScale.size())); }
};

}  // namespace attnscope
