// Launch of transformer_xl's position features (relative_features_kernel.cuh).
#include <cuda_runtime.h>

#include <algorithm>

#include "relative_features.hpp"
#include "relative_features_kernel.cuh"

namespace attnscope::kernels {

int launchRelativeFeatures(const RelativeFeatureParams& p, FlashStream stream) {
  const int64_t total = p.heads * p.n * (p.d / 2);
  if (total < 1) return static_cast<int>(cudaSuccess);
  const int64_t blocks = std::min<int64_t>((total + kRelativeFeatureThreads - 1) / kRelativeFeatureThreads, 65535);
  device::relativeFeatures<<<static_cast<unsigned>(blocks), kRelativeFeatureThreads, 0, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
