// Launch of topk_dynamic's block choice (topk_select_kernel.cuh).
#include <cuda_runtime.h>

#include "topk_select.hpp"
#include "topk_select_kernel.cuh"

namespace attnscope::kernels {

int launchTopkSelect(const TopkSelectParams& p, FlashStream stream) {
  if (p.heads < 1 || p.blocks < 1) return static_cast<int>(cudaSuccess);
  const size_t smem = topkSelectSmemBytes(p.blocks);
  cudaError_t status = cudaFuncSetAttribute(device::topkSelect, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
  if (status != cudaSuccess) return static_cast<int>(status);
  device::topkSelect<<<dim3(static_cast<unsigned>(p.blocks), static_cast<unsigned>(p.heads)), dim3(kTopkSelectThreads), smem, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
