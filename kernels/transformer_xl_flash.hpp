// transformer_xl on the flash kernel. Its relative scores
//   s ((q_i + u) . k_j + (q_i + v) . R(i - j))
// separate into one dot product of width 2d because R is sinusoidal: for the
// column pair (2p, 2p + 1) with frequency w, a = (q_i + v)[2p], b = (q_i + v)[2p + 1],
//   a sin((i - j) w) + b cos((i - j) w)
//     = cos(j w) (a sin(i w) + b cos(i w)) + sin(j w) (b sin(i w) - a cos(i w)),
// so with Q'_i = [q_i + u, (a sin(i w) + b cos(i w), b sin(i w) - a cos(i w))_p]
// and K'_j = [k_j, (cos(j w), sin(j w))_p] the score is s Q'_i . K'_j, exactly,
// on the variant's own layout (lowest(i) <= j <= i). The GPU then needs no
// relative-shift kernel, and the position term runs on the tensor cores.
// relative = false is the plain kernel on the same layout.
// Host only, no CUDA: the CPU suite checks all of it.
#pragma once

#include <string>
#include <vector>

#include "attention/variant.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

// Q', K' as above (angles in double, stored fp32); V unchanged. d must be even.
Qkv withRelativeFeatures(const Qkv& qkv);

// Q and K at width 2d with the position halves zero, for the device to fill
// (relative_features.hpp); V unchanged. d must be even.
Qkv withRelativeSlots(const Qkv& qkv);

// What the relative-features kernel needs besides Q' and K': u, v and the
// pair frequencies, on the host (the caller uploads them).
struct RelativeFeatureInputs {
  RowVec u, v;
  std::vector<double> frequency;
};
RelativeFeatureInputs relativeFeatureInputs(int64_t d);

// The (Q/K, V) widths the flash kernel sees for this spec and shape.
int transformerXlFlashWidth(const AttentionSpec& spec, const Shape& shape);

}  // namespace attnscope::kernels
