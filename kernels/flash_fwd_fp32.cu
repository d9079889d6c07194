// Launches of the fp32 flash forward kernel (flash_fwd_fp32_kernel.cuh).
#include <cuda_runtime.h>

#include "flash_fwd_fp32_kernel.cuh"
#include "flash_launch.hpp"

namespace attnscope::kernels {

namespace {

template <int D, int DV>
int launchFp32(const FlashParams& p, cudaStream_t stream) {
  using T = FlashFp32Traits<D, DV>;
  const auto kernel = device::flashForwardFp32<D, DV>;
  cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(T::kSmemBytes));
  if (status != cudaSuccess) return static_cast<int>(status);
  const dim3 grid(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads));
  kernel<<<grid, T::kThreads, T::kSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launchFlashForwardFp32(const FlashParams& p, cudaStream_t stream) {
#define ATTNSCOPE_LAUNCH_FP32(D, DV) \
  if (p.d == (D) && p.dv == (DV)) return launchFp32<D, DV>(p, stream);
  ATTNSCOPE_FLASH_WIDTHS(ATTNSCOPE_LAUNCH_FP32)
#undef ATTNSCOPE_LAUNCH_FP32
  return static_cast<int>(cudaErrorInvalidValue);
}

}  // namespace attnscope::kernels
