// Launches of the fp32 flash forward kernel (flash_fwd_fp32_kernel.cuh).
#include <cuda_runtime.h>

#include "flash_fwd_fp32_kernel.cuh"
#include "flash_launch.hpp"

namespace attnscope::kernels {

namespace {

template <int D>
int launchFp32(const FlashParams& p, cudaStream_t stream) {
  using T = FlashFp32Traits<D>;
  const auto kernel = device::flashForwardFp32<D>;
  cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(T::kSmemBytes));
  if (status != cudaSuccess) return static_cast<int>(status);
  const dim3 grid(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads));
  kernel<<<grid, T::kThreads, T::kSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launchFlashForwardFp32(const FlashParams& p, cudaStream_t stream) {
  switch (p.d) {
    case 32: return launchFp32<32>(p, stream);
    case 64: return launchFp32<64>(p, stream);
    case 128: return launchFp32<128>(p, stream);
    default: return static_cast<int>(cudaErrorInvalidValue);
  }
}

}  // namespace attnscope::kernels
