// Sequence -> Q, K, V per head (DESIGN §4).
#pragma once

#include <cstdint>
#include <string>

#include "common/cancel.hpp"
#include "sequence/sequence.hpp"

namespace attnscope {

enum class Positions { None, Sinusoidal, Rope };

const char* positionsName(Positions p);
Positions parsePositions(const std::string& text);  // throws Error(InvalidArgument)

struct FeaturizeOptions {
  int heads = 4;
  int d = 64;            // head width of Q, K and V
  int dModel = 0;        // token embedding width; 0 means 2*d
  Positions positions = Positions::Sinusoidal;
  bool tiedQK = true;    // Wk = Wq, so repeated tokens attend to each other
  uint64_t seed = 1;
};

// Validates options (heads, d, dModel within limits), then builds H heads.
// Token embeddings are seeded Gaussians keyed by the token string, so equal
// tokens get equal vectors; numeric embeddings (time series, hidden states) are
// used as given; ready Q/K/V pass through (only cropped).
// Checks the token between heads and row chunks, so a long featurization
// stops promptly when the user cancels.
Qkv featurize(const Sequence& seq, const FeaturizeOptions& options, const CancelToken* cancel = nullptr);

// Token embedding alone (exposed for tests and the explorer).
Mat embedTokens(const std::vector<std::string>& labels, int dModel, uint64_t seed, const CancelToken* cancel = nullptr);

// Rotary position embedding applied in place to rows of x (pairs of columns).
void applyRope(MatRef x);

}  // namespace attnscope
