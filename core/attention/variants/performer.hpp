// Performer's random features, exposed so tests can build the explicit
// FAVOR+ formula from the same draws.
#pragma once

#include <cstdint>
#include <memory>

#include "attention/variant.hpp"

namespace attnscope {

// Tokens per step of the causal prefix scan (the cost model counts its in-chunk work).
constexpr int64_t kPerformerCausalChunk = 64;

// W [features x d]: rows N(0, I_d); with orthogonal=true, each block of d rows
// is an orthonormal set rescaled to chi(d)-distributed norms (the norms of
// fresh Gaussian vectors). Drawn from Rng(seed); equal for every head.
Mat performerFeatureMatrix(const AttentionSpec& spec, int64_t d);

// W d^-1/4 [features x d], the operand every backend multiplies x by (W x' =
// (W d^-1/4) x), kept once drawn for (seed, m, d, orthogonal) as a model keeps
// its weights: drawing it (a QR per block of d rows) costs more than a short
// input's whole pass. At most 16 matrices of at most 2^20 floats are kept.
std::shared_ptr<const Mat> performerScaledFeatures(const AttentionSpec& spec, int64_t d);

}  // namespace attnscope
