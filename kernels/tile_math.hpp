// Online-softmax tile math shared by the CUDA kernels and the CPU tests: it
// compiles for host and device, so the CPU suite exercises the same code.
#pragma once

#include <cmath>

#if defined(__CUDACC__)
#define ATTNSCOPE_HD __host__ __device__ __forceinline__
#else
#define ATTNSCOPE_HD inline
#endif

namespace attnscope::kernels {

// Running state of one query row: max score m, normaliser l (sum of exp(s - m)).
struct RowState {
  float m;
  float l;
};

ATTNSCOPE_HD RowState initialRowState() { return RowState{-INFINITY, 0.0f}; }

// Folds one score s into the row state; returns the factor by which the
// accumulator must be rescaled and writes the weight of s into *p.
ATTNSCOPE_HD float onlineSoftmaxStep(RowState& st, float s, float* p) {
  if (s == -INFINITY) {
    *p = 0.0f;
    return 1.0f;
  }
  const float newMax = s > st.m ? s : st.m;
  const float rescale = st.m == -INFINITY ? 0.0f : expf(st.m - newMax);
  *p = expf(s - newMax);
  st.l = st.l * rescale + *p;
  st.m = newMax;
  return rescale;
}

// Chunk form of the same update, for kernels that score a whole key chunk
// before weighting it: fold the chunk's largest score in first, weight every
// score with chunkWeight, then add the weights' sum to st.l. Returns the factor
// by which the accumulator (and st.l, already done here) was rescaled.
ATTNSCOPE_HD float onlineSoftmaxRescale(RowState& st, float chunkMax) {
  if (chunkMax == -INFINITY) return 1.0f;  // nothing allowed in this chunk: state unchanged
  const float newMax = chunkMax > st.m ? chunkMax : st.m;
  const float rescale = st.m == -INFINITY ? 0.0f : expf(st.m - newMax);
  st.l *= rescale;
  st.m = newMax;
  return rescale;
}

// Weight of score s after onlineSoftmaxRescale; masked scores (-inf) weigh 0
// even while the row has seen nothing (m = -inf), where exp(s - m) would be NaN.
ATTNSCOPE_HD float chunkWeight(const RowState& st, float s) { return s == -INFINITY ? 0.0f : expf(s - st.m); }

// Final log-sum-exp of the row (-inf when nothing was attended).
ATTNSCOPE_HD float rowLogSumExp(const RowState& st) { return st.l > 0.0f ? st.m + logf(st.l) : -INFINITY; }

// Number of tiles of edge b that cover n positions.
ATTNSCOPE_HD int tilesFor(int n, int b) { return (n + b - 1) / b; }

}  // namespace attnscope::kernels
