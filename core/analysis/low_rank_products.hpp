// Products with a factored A (attention/low_rank_factors.hpp) on the host:
// A x = diag(s) L (R^T x), causal through a chunked prefix scan, so each
// costs O(n r c) for c columns instead of A's n^2 entries. A device operator
// that forms the map from the factors uses these for the spectrum's products.
#pragma once

#include "attention/low_rank_factors.hpp"
#include "common/cancel.hpp"

namespace attnscope {

class ThreadPool;

// out [n x c] = A x for x [nKeys x c].
void lowRankApply(const LowRankFactors& f, ConstMatRef x, MatRef out, ThreadPool& pool, const CancelToken* cancel = nullptr);
// out [nKeys x c] = A^T y for y [n x c].
void lowRankApplyTransposed(const LowRankFactors& f, ConstMatRef y, MatRef out, ThreadPool& pool, const CancelToken* cancel = nullptr);

}  // namespace attnscope
