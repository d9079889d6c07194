// The layouts the CPU kernel suites (fp32 and bf16) run every fast path on,
// and the helpers they share to compare with the plain reference.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "attention/block_layout.hpp"
#include "naive_reference.hpp"

namespace attnscope::testing {

struct LayoutCase {
  std::string name, variant;
  std::vector<std::string> params;
  bool causal = false;
};

// Layouts that exercise each way the kernels see keys: every tile, the causal
// diagonal, bands (narrow, wide, dilated), explicit bits, global rows and
// columns, random blocks.
inline std::vector<LayoutCase> layoutCases() {
  return {{"dense", "dense", {}, false},
          {"dense_causal", "dense", {}, true},
          {"window5", "sliding_window", {"window=5"}, false},
          {"window20_causal", "sliding_window", {"window=20"}, true},
          {"window64", "sliding_window", {"window=64"}, false},
          {"window3_dilated", "sliding_window", {"window=9", "dilation=3"}, false},
          {"bits_block7", "local_block", {"block=7"}, false},
          {"bits_block7_causal", "local_block", {"block=7"}, true},
          {"globals", "longformer", {"window=8", "globals=2", "global_indices=37"}, false},
          {"globals_causal", "longformer", {"window=8", "globals=1", "global_indices=50"}, true},
          // Global rows in runs: inside a tile, across a tile boundary, at a
          // tile's end.
          {"globals_runs", "longformer", {"window=3", "globals=0", "global_indices=5,6,63,64,65,90"}, false},
          {"globals_runs_causal", "longformer", {"window=3", "globals=0", "global_indices=5,6,63,64,65,90"}, true},
          // Whole query blocks of global rows (70 > a 16-row tile).
          {"globals_many", "longformer", {"window=4", "globals=70"}, false},
          {"bigbird", "bigbird", {"block=16", "random_blocks=1"}, false}};
}

// The layout's allowed pairs as a mask (l must outlive it).
inline MaskFn maskOf(const BlockLayout& l) {
  return [&l](int64_t i, int64_t j) {
    const int64_t qb = i / l.block, kb = j / l.block;
    for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e)
      if (l.tileCol(e) == kb) return l.allowed(e, i, j);
    return false;
  };
}

// max |a - ref| / max |ref|.
inline double relErr(const Mat& a, const MatD& ref) {
  const double scale = std::max(1e-30, ref.cwiseAbs().maxCoeff());
  return (a.cast<double>() - ref).cwiseAbs().maxCoeff() / scale;
}

}  // namespace attnscope::testing
