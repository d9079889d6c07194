// Transformer-XL's position terms, exposed so tests can build the explicit
// relative-score reference from the same numbers.
#pragma once

#include <cstdint>

#include "common/types.hpp"

namespace attnscope {

// Row t is R(t), t = 0 .. distances - 1: R(t)[2c] = sin(t w_c), R(t)[2c+1] = cos(t w_c),
// w_c = 10000^(-2c/d) (the sinusoidal encoding, applied to the distance i - j).
Mat transformerXlRelativeTable(int64_t distances, int64_t d);

// The global content bias u and position bias v: fixed small Gaussians,
// N(0, 0.1^2) per entry, from a fixed seed (they stand in for learned vectors).
void transformerXlBiases(int64_t d, RowVec& u, RowVec& v);

// Query i (in segment floor(i / L)) attends keys [lowestKey, i].
inline int64_t transformerXlLowestKey(int64_t i, int64_t segment, int64_t memory) {
  const int64_t start = (i / segment) * segment - memory;
  return start < 0 ? 0 : start;
}

}  // namespace attnscope
