// Linformer's projections E and F as numbers: which entry is which draw.
// Shared by the variant (its reference matrices) and the kernels (which draw
// blocks where they need them).
#pragma once

#include <cmath>
#include <cstdint>

#include "attention/variant.hpp"
#include "attention/variants/linformer.hpp"
#include "common/rng.hpp"

namespace attnscope::linformer {

struct Projection {
  // E and F as DESIGN §3 defines them; any block of either can be drawn alone.
  int64_t n = 0, k = 0;
  bool meanPool = false;
  bool shared = false;
  uint64_t seed = 0;

  uint64_t streamKey(bool valueSide) const {
    const uint64_t side = (valueSide && !shared) ? 0xF0F0F0F0F0F0F0F0ull : 0x0E0E0E0E0E0E0E0Eull;
    return splitmix64(seed ^ side);
  }
  // Key of the counter-based stream for row r of E or F.
  uint64_t rowKey(bool valueSide, int64_t r) const { return splitmix64(streamKey(valueSide) + static_cast<uint64_t>(r)); }
  int64_t poolBegin(int64_t r) const { return r * n / k; }

  // Block [r0, r0 + rows) x [j0, j0 + cols) of E or F into dst (row-major, row stride ld).
  void fill(bool valueSide, int64_t r0, int64_t rows, int64_t j0, int64_t cols, float* dst, int64_t ld) const {
    const float sigma = 1.0f / std::sqrt(static_cast<float>(k));
    for (int64_t r = 0; r < rows; ++r) {
      float* row = dst + r * ld;
      if (meanPool) {
        const int64_t b = poolBegin(r0 + r), e = poolBegin(r0 + r + 1);
        const float w = 1.0f / static_cast<float>(e - b);
        for (int64_t c = 0; c < cols; ++c) row[c] = (j0 + c >= b && j0 + c < e) ? w : 0.0f;
      } else {
        const uint64_t key = rowKey(valueSide, r0 + r);
        for (int64_t c = 0; c < cols; ++c) row[c] = sigma * counterNormal(key, static_cast<uint64_t>(j0 + c));
      }
    }
  }

  // A standard normal from (key, index) alone, so any block of E or F can be
  // generated independently (in parallel, or only where the map needs it).
  static float counterNormal(uint64_t key, uint64_t index) {
    const uint64_t h1 = splitmix64(key + index * 0x9E3779B97F4A7C15ull);
    const uint64_t h2 = splitmix64(h1 ^ 0xD1B54A32D192ED03ull);
    const double u1 = (static_cast<double>(h1 >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    const double u2 = static_cast<double>(h2 >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
};

inline Projection projectionOf(const AttentionSpec& spec, int64_t n) {
  Projection p;
  p.n = n;
  p.k = linformerRank(spec, n);
  p.meanPool = spec.params.getString("projection") == "mean_pool";
  p.shared = spec.params.getBool("share_ef") || p.meanPool;
  p.seed = static_cast<uint64_t>(spec.params.getInt("seed"));
  return p;
}

}  // namespace attnscope::linformer
