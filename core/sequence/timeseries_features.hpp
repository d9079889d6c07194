// Per-step features of a numeric series: standardized value, standardized
// difference, and a seeded random-Fourier lift of the two to `width` columns.
// Shared by the CSV loader and the built-in time-series sample.
#pragma once

#include <cstdint>
#include <vector>

#include "common/types.hpp"

namespace attnscope {

// Throws Error(InvalidArgument) unless 2 <= width <= 1024. Non-finite values
// (only present when the user allowed them) pass through unscaled.
Mat timeSeriesFeatures(const std::vector<double>& values, int width, uint64_t seed);

}  // namespace attnscope
