// Launches of the sm_90 wgmma flash forward kernel (flash_fwd_wgmma_kernel.cuh).
// Built for sm_90a only (wgmma is arch-specific): kernels/CMakeLists.txt
// compiles this unit alone for that target when the build includes sm_90.
#include <cuda_runtime.h>

#include "flash_fwd_wgmma_kernel.cuh"
#include "flash_launch.hpp"

namespace attnscope::kernels {

namespace {

template <int D, int DV, bool Bf16>
int launchWgmma(const FlashParams& p, cudaStream_t stream) {
  using T = FlashWgmmaTraits<D, DV>;
  const auto kernel = device::flashForwardWgmma<D, DV, Bf16>;
  cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(T::kSmemBytes));
  if (status != cudaSuccess) return static_cast<int>(status);
  const dim3 grid(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads));
  kernel<<<grid, T::kThreads, T::kSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launchFlashForwardWgmma(const FlashParams& p, FlashStream stream) {
  const bool bf16 = p.element == FlashElement::Bf16;
#define ATTNSCOPE_LAUNCH_WGMMA(D, DV) \
  if (p.d == (D) && p.dv == (DV)) return bf16 ? launchWgmma<D, DV, true>(p, stream) : launchWgmma<D, DV, false>(p, stream);
  ATTNSCOPE_WGMMA_WIDTHS(ATTNSCOPE_LAUNCH_WGMMA)
#undef ATTNSCOPE_LAUNCH_WGMMA
  return static_cast<int>(cudaErrorInvalidValue);
}

}  // namespace attnscope::kernels
