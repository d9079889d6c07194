// Transformer-XL's position terms and key ranges, shared by the variant, its
// kernels and the tests' explicit relative-score reference.
#pragma once

#include <cmath>
#include <cstdint>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "common/types.hpp"

namespace attnscope {

// Row t is R(t), t = 0 .. distances - 1: R(t)[2c] = sin(t w_c), R(t)[2c+1] = cos(t w_c),
// w_c = 10000^(-2c/d) (the sinusoidal encoding, applied to the distance i - j).
Mat transformerXlRelativeTable(int64_t distances, int64_t d);
// w_c of column c (columns 2p and 2p + 1 share one frequency).
inline double transformerXlFrequency(int64_t c, int64_t d) { return std::pow(10000.0, -static_cast<double>(2 * (c / 2)) / static_cast<double>(d)); }

// The global content bias u and position bias v: fixed small Gaussians,
// N(0, 0.1^2) per entry, from a fixed seed (they stand in for learned vectors).
void transformerXlBiases(int64_t d, RowVec& u, RowVec& v);

// Query i (in segment floor(i / L)) attends keys [lowestKey, i].
inline int64_t transformerXlLowestKey(int64_t i, int64_t segment, int64_t memory) {
  const int64_t start = (i / segment) * segment - memory;
  return start < 0 ? 0 : start;
}

// The query and key tile edge of both paths (the layout's block).
constexpr int64_t kTransformerXlTile = 64;

namespace transformer_xl {

constexpr int64_t kTile = kTransformerXlTile;

struct XlShape {
  int64_t n = 0, segment = 1, memory = 0;
  bool relative = false;
  int64_t lowest(int64_t i) const { return transformerXlLowestKey(i, segment, memory); }
  int64_t segmentStart(int64_t i) const { return (i / segment) * segment; }
  int64_t segments() const { return (n + segment - 1) / segment; }
  // Widest key range of one query block, and the distances it needs.
  int64_t maxWidth() const { return std::min(n, kTile + segment + memory); }
};

inline XlShape xlShapeOf(const AttentionSpec& spec, int64_t n) {
  return XlShape{n, spec.params.getInt("segment"), spec.params.getInt("memory"), spec.params.getBool("relative")};
}

// Tiles for lowest(i) <= j <= i (relative = false runs on this layout; the
// relative path reads the same key ranges).
BlockLayout xlLayout(const XlShape& x);
// Allowed pairs per head.
double pairsPerHead(const XlShape& x);

}  // namespace transformer_xl

}  // namespace attnscope
