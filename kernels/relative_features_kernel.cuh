// The kernel of relative_features.hpp: grid-stride over (head, row, pair).
// The kernel body only: relative_features.cu launches it on a GPU, and the
// CPU suite runs this same source under the emulation (tests/emu/).
#pragma once

#include <cmath>

#include "cuda_compat.cuh"
#include "relative_features.hpp"

namespace attnscope::kernels::device {

__global__ void __launch_bounds__(kRelativeFeatureThreads) relativeFeatures(RelativeFeatureParams p) {
  const int64_t pairs = p.d / 2, total = p.heads * p.n * pairs, width = 2 * p.d;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += step) {
    const int64_t pair = idx % pairs, row = idx / pairs, i = row % p.n;  // row = head * n + i
    float* q = p.q + row * width;
    float* k = p.k + row * width;
    const double angle = static_cast<double>(i) * p.frequency[pair];
    const double s = static_cast<float>(sin(angle)), c = static_cast<float>(cos(angle));
    const float qa = q[2 * pair], qb = q[2 * pair + 1];  // this thread alone reads and rewrites these two
    const double a = static_cast<double>(qa) + p.v[2 * pair], b = static_cast<double>(qb) + p.v[2 * pair + 1];
    q[2 * pair] = qa + p.u[2 * pair];
    q[2 * pair + 1] = qb + p.u[2 * pair + 1];
    q[p.d + 2 * pair] = static_cast<float>(a * s + b * c);
    q[p.d + 2 * pair + 1] = static_cast<float>(b * s - a * c);
    k[p.d + 2 * pair] = static_cast<float>(c);
    k[p.d + 2 * pair + 1] = static_cast<float>(s);
  }
}

}  // namespace attnscope::kernels::device
