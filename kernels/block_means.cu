// Launch of the block means (block_means_kernel.cuh).
#include <cuda_runtime.h>

#include "block_means.hpp"
#include "block_means_kernel.cuh"

namespace attnscope::kernels {

int launchBlockMeans(const BlockMeansParams& p, FlashStream stream) {
  if (p.heads < 1 || p.blocks < 1 || p.width < 1) return static_cast<int>(cudaSuccess);
  device::blockMeans<<<dim3(static_cast<unsigned>(p.blocks), static_cast<unsigned>(p.heads)), dim3(kBlockMeansThreads), 0, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
