// The shapes the flash kernel is held to the CPU on, wherever it runs (a GPU,
// or the CPU emulation of CUDA): tiles and masks at their edges (odd n, n
// below a tile, several heads, causal, d = 32 / 64 / 128 / 256, V narrower
// than Q and K; band, global, bits and per-head dynamic layouts), with the helpers both suites need.
//
// Tolerances: fp32 within 1e-4 relative to the CPU. fp16/bf16 no worse than
// twice a naive same-precision reference (naiveLowPrecisionAttention).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attention/block_layout.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"
#include "flash_params.hpp"
#include "low_precision.hpp"
#include "naive_reference.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::testing {

struct FlashCase {
  std::string variant;
  std::vector<std::pair<std::string, std::string>> params;
  int64_t n, d;
  int heads;
  bool causal;
  int64_t dv = 0;  // V width; 0: d
  int64_t valueWidth() const { return dv > 0 ? dv : d; }
};

inline const std::vector<FlashCase>& flashCases() {
  static const std::vector<FlashCase> cases = {
      {"dense", {}, 1, 32, 1, false},  // a single row: far below every tile
      {"dense", {}, 37, 64, 3, true},  // odd n, several heads
      {"dense", {}, 333, 64, 2, true},
      {"dense", {}, 200, 128, 2, false},
      {"sliding_window", {{"window", "8"}, {"dilation", "2"}}, 130, 64, 2, false},
      {"sliding_window", {{"window", "20"}}, 201, 128, 1, true},
      {"longformer", {{"window", "4"}, {"globals", "3"}, {"global_indices", "50"}}, 130, 32, 2, false},
      {"bigbird", {{"block", "16"}, {"random_blocks", "2"}}, 130, 64, 2, true},
      {"topk_dynamic", {{"block", "16"}, {"topk", "2"}}, 150, 64, 2, false},  // per-head layouts
      {"local_block", {{"block", "131"}}, 300, 32, 1, false},                 // Bits tiles
      {"dense", {}, 77, 64, 2, true, 32},                                     // V half as wide as Q and K
      {"longformer", {{"window", "6"}, {"globals", "2"}}, 90, 256, 1, false, 128},  // the widest pair
      // Tile edges for the sm_90 kernel's loads: TMA boxes of 32 and of 8 rows
      // (a chunk past the row's only tile takes zero boxes), and an edge no box
      // fits (48: slots gathered by cp.async).
      {"local_block", {{"block", "32"}}, 150, 64, 1, true},
      {"local_block", {{"block", "8"}}, 70, 64, 1, false},
      {"local_block", {{"block", "48"}}, 120, 128, 2, false},
  };
  return cases;
}

inline std::string flashCaseName(const FlashCase& c) {
  return c.variant + "_n" + std::to_string(c.n) + "_d" + std::to_string(c.d) + (c.dv > 0 ? "_dv" + std::to_string(c.dv) : "") + "_h" + std::to_string(c.heads) + (c.causal ? "_causal" : "");
}

inline AttentionSpec specOf(const FlashCase& c) {
  AttentionSpec spec = makeSpec(c.variant);
  for (const auto& [name, value] : c.params) spec.params.set(name, value);
  spec.causal = c.causal;
  return spec;
}

// Seeded Q, K (sigma 0.8) and V (sigma 1) per head: head h draws from seeds
// seed + 10 h, + 1, + 2.
inline Qkv randomQkv(int64_t n, int64_t d, int64_t dv, int heads, uint64_t seed) {
  Qkv qkv;
  for (int h = 0; h < heads; ++h) {
    const uint64_t s = seed + 10 * static_cast<uint64_t>(h);
    qkv.q.push_back(randomMatrix(n, d, s, 0.8));
    qkv.k.push_back(randomMatrix(n, d, s + 1, 0.8));
    qkv.v.push_back(randomMatrix(n, dv, s + 2));
  }
  return qkv;
}

inline Qkv inputsOf(const FlashCase& c) { return randomQkv(c.n, c.d, c.valueWidth(), c.heads, 100); }

// One layout per head (dynamic variants differ by head).
inline std::vector<BlockLayout> layoutsOf(const FlashCase& c, const AttentionSpec& spec, const Qkv& qkv) {
  std::vector<BlockLayout> out;
  const Shape shape{c.n, c.d, c.valueWidth(), c.heads, c.causal, 1};
  for (int h = 0; h < c.heads; ++h) {
    const HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], nullptr, h};
    std::optional<BlockLayout> l = VariantRegistry::instance().get(c.variant).layout(spec, shape, &in);
    if (!l) throw Error(ErrorKind::Unsupported, c.variant + " has no layout");
    out.push_back(std::move(*l));
  }
  return out;
}

// Dense n x nKeys mask of a layout (small n only).
inline std::vector<uint8_t> pairMask(const BlockLayout& l) {
  std::vector<uint8_t> m(static_cast<size_t>(l.n * l.nKeys), 0);
  for (int64_t qb = 0; qb < l.rowBlocks(); ++qb)
    for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) {
      const int64_t kb = l.tileCol(e);
      for (int64_t i = qb * l.block; i < std::min(l.n, (qb + 1) * l.block); ++i)
        for (int64_t j = kb * l.block; j < std::min(l.nKeys, (kb + 1) * l.block); ++j)
          if (l.allowed(e, i, j)) m[static_cast<size_t>(i * l.nKeys + j)] = 1;
    }
  return m;
}

// Whether row i attends anything (its LSE must be finite exactly then).
inline bool rowAttends(const std::vector<uint8_t>& mask, int64_t nKeys, int64_t i) {
  for (int64_t j = 0; j < nKeys; ++j)
    if (mask[static_cast<size_t>(i * nKeys + j)]) return true;
  return false;
}

inline Mat naiveLowPrecision(const Mat& q, const Mat& k, const Mat& v, const std::vector<uint8_t>& mask, kernels::FlashElement e, float scale = 0.0f) {
  const int64_t m = k.rows();
  const MaskFn allowed = [&mask, m](int64_t i, int64_t j) { return mask[static_cast<size_t>(i * m + j)] != 0; };
  return naiveLowPrecisionAttention(q, k, v, allowed, e == kernels::FlashElement::Bf16 ? &kernels::roundToBf16 : &kernels::roundToHalf, scale);
}

inline const char* elementName(kernels::FlashElement e) {
  return e == kernels::FlashElement::Fp32 ? "fp32" : e == kernels::FlashElement::Fp16 ? "fp16" : "bf16";
}

// Empty when `got`, a forward over (q, k, v) and `mask` at precision e,
// agrees with the CPU backend's `cpu`: fp32 within 1e-4 relative; fp16/bf16
// no worse than twice a naive same-precision reference on the same inputs,
// which must itself be within 0.05 of the CPU (otherwise the inputs, say an
// extension of K and V, are wrong and the bound means nothing). Else what is wrong.
inline std::string compareWithCpu(const Mat& got, const Mat& cpu, const Mat& q, const Mat& k, const Mat& v, const std::vector<uint8_t>& mask,
                                  kernels::FlashElement e, float scale = 0.0f) {
  const double err = relativeMaxError(got, cpu);
  if (e == kernels::FlashElement::Fp32)
    return err < 1e-4 ? std::string() : "fp32 error " + std::to_string(err);
  const double naiveErr = relativeMaxError(naiveLowPrecision(q, k, v, mask, e, scale), cpu);
  if (!(naiveErr < 0.05)) return "the same-precision reference is " + std::to_string(naiveErr) + " off";
  if (!(err <= 2.0 * naiveErr))
    return std::string(elementName(e)) + " error " + std::to_string(err) + ", naive same-precision bound " + std::to_string(2.0 * naiveErr);
  return {};
}

}  // namespace attnscope::testing
