// Launches of the fp16/bf16 tensor-core flash forward kernel
// (flash_fwd_mma_kernel.cuh), and the fp32 -> 16-bit conversion it reads from.
#include <cuda_runtime.h>

#include "flash_fwd_mma_kernel.cuh"
#include "flash_launch.hpp"

namespace attnscope::kernels {

namespace {

template <int D, int DV, bool Bf16>
int launchMma(const FlashParams& p, cudaStream_t stream) {
  using T = FlashMmaTraits<D, DV>;
  const auto kernel = device::flashForwardMma<D, DV, Bf16>;
  cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(T::kSmemBytes));
  if (status != cudaSuccess) return static_cast<int>(status);
  const dim3 grid(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads));
  kernel<<<grid, T::kThreads, T::kSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launchFlashForwardMma(const FlashParams& p, FlashStream stream) {
  const bool bf16 = p.element == FlashElement::Bf16;
#define ATTNSCOPE_LAUNCH_MMA(D, DV) \
  if (p.d == (D) && p.dv == (DV)) return bf16 ? launchMma<D, DV, true>(p, stream) : launchMma<D, DV, false>(p, stream);
  ATTNSCOPE_FLASH_WIDTHS(ATTNSCOPE_LAUNCH_MMA)
#undef ATTNSCOPE_LAUNCH_MMA
  return static_cast<int>(cudaErrorInvalidValue);
}

int launchConvertFromFp32(const float* src, void* dst, int64_t count, FlashElement to, FlashStream stream) {
  if (count <= 0) return static_cast<int>(cudaSuccess);
  if (to == FlashElement::Fp32 || !src || !dst) return static_cast<int>(cudaErrorInvalidValue);
  constexpr int kThreads = 256;
  const int64_t wanted = (count + kThreads - 1) / kThreads;
  const unsigned blocks = static_cast<unsigned>(wanted < 4096 ? wanted : 4096);  // grid-stride beyond
  if (to == FlashElement::Bf16) device::convertFromFp32<true><<<blocks, kThreads, 0, stream>>>(src, static_cast<uint16_t*>(dst), count);
  else device::convertFromFp32<false><<<blocks, kThreads, 0, stream>>>(src, static_cast<uint16_t*>(dst), count);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
