// Dense attention forward, fp32: each thread owns one query row and streams
// the keys through shared-memory tiles with an online softmax, so nothing
// n x n exists. A first, plain kernel: correctness first, tuned tiles later.
#include <cuda_runtime.h>

#include "kernel_params.hpp"
#include "tile_math.hpp"

namespace attnscope::kernels {

namespace {

__global__ void denseForwardKernel(DenseParams p) {
  using T = DenseTraits;
  extern __shared__ float shared[];
  float* kTile = shared;                      // [kKeyTile x d]
  float* vTile = shared + T::kKeyTile * p.d;  // [kKeyTile x dv]

  const int row = blockIdx.x * T::kThreads + threadIdx.x;
  const bool active = row < p.n;
  float q[T::kMaxWidth];
  float acc[T::kMaxWidth];
  for (int c = 0; c < p.d; ++c) q[c] = active ? p.q[static_cast<size_t>(row) * p.d + c] * p.scale : 0.0f;
  for (int c = 0; c < p.dv; ++c) acc[c] = 0.0f;
  RowState st = initialRowState();

  // The last key any row of this block needs (causal blocks stop early).
  const int blockLastRow = min(p.n, static_cast<int>((blockIdx.x + 1) * T::kThreads)) - 1;
  const int keyEnd = p.causal ? blockLastRow + 1 : p.n;
  for (int j0 = 0; j0 < keyEnd; j0 += T::kKeyTile) {
    const int tileKeys = min(T::kKeyTile, keyEnd - j0);
    for (int idx = threadIdx.x; idx < tileKeys * p.d; idx += T::kThreads) kTile[idx] = p.k[static_cast<size_t>(j0) * p.d + idx];
    for (int idx = threadIdx.x; idx < tileKeys * p.dv; idx += T::kThreads) vTile[idx] = p.v[static_cast<size_t>(j0) * p.dv + idx];
    __syncthreads();
    if (active) {
      for (int t = 0; t < tileKeys; ++t) {
        const int j = j0 + t;
        float s = -INFINITY;
        if (!p.causal || j <= row) {
          s = 0.0f;
          for (int c = 0; c < p.d; ++c) s += q[c] * kTile[t * p.d + c];
        }
        float weight;
        const float rescale = onlineSoftmaxStep(st, s, &weight);
        if (weight == 0.0f && rescale == 1.0f) continue;
        for (int c = 0; c < p.dv; ++c) acc[c] = acc[c] * rescale + weight * vTile[t * p.dv + c];
      }
    }
    __syncthreads();
  }
  if (!active) return;
  const float inv = st.l > 0.0f ? 1.0f / st.l : 0.0f;
  for (int c = 0; c < p.dv; ++c) p.o[static_cast<size_t>(row) * p.dv + c] = acc[c] * inv;
  if (p.lse) p.lse[row] = rowLogSumExp(st);
}

}  // namespace

int launchDenseForward(const DenseParams& p) {
  using T = DenseTraits;
  if (p.d < 1 || p.dv < 1 || p.d > T::kMaxWidth || p.dv > T::kMaxWidth) return static_cast<int>(cudaErrorInvalidValue);
  const int blocks = tilesFor(p.n, T::kThreads);
  const size_t sharedBytes = sizeof(float) * static_cast<size_t>(T::kKeyTile) * static_cast<size_t>(p.d + p.dv);
  denseForwardKernel<<<blocks, T::kThreads, sharedBytes>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
