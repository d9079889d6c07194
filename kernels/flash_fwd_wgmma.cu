// Launches of the sm_90 wgmma flash forward kernel (flash_fwd_wgmma_kernel.cuh).
// Built for sm_90a only (wgmma is arch-specific): kernels/CMakeLists.txt
// compiles this unit alone for that target when the build includes sm_90.
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_runtime.h>

#include <algorithm>

#include "flash_fwd_wgmma_kernel.cuh"
#include "flash_launch.hpp"
#include "flash_tma_plan.hpp"

namespace attnscope::kernels {

namespace {

// cuTensorMapEncodeTiled through the runtime, so nothing links the driver
// library itself (binaries still start where there is none).
PFN_cuTensorMapEncodeTiled_v12000 tensorMapEncoder() {
  static const PFN_cuTensorMapEncodeTiled_v12000 encode = [] {
    void* function = nullptr;
    cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &function, 12000, cudaEnableDefault, &found) != cudaSuccess ||
        found != cudaDriverEntryPointSuccess)
      return static_cast<PFN_cuTensorMapEncodeTiled_v12000>(nullptr);
    return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(function);
  }();
  return encode;
}

bool encode(const FlashTmaTensor& t, CUtensorMap* map) {
  const PFN_cuTensorMapEncodeTiled_v12000 encodeTiled = tensorMapEncoder();
  if (!encodeTiled) return false;
  const cuuint64_t dims[3] = {static_cast<cuuint64_t>(t.dims[0]), static_cast<cuuint64_t>(t.dims[1]), static_cast<cuuint64_t>(t.dims[2])};
  const cuuint64_t strides[2] = {static_cast<cuuint64_t>(t.strides[0]), static_cast<cuuint64_t>(t.strides[1])};
  const cuuint32_t box[3] = {static_cast<cuuint32_t>(t.box[0]), static_cast<cuuint32_t>(t.box[1]), static_cast<cuuint32_t>(t.box[2])};
  const cuuint32_t elementStrides[3] = {1, 1, 1};
  // 16-bit elements copied as they are; zero fill outside the tensor (OOB_FILL_NONE).
  return encodeTiled(map, CU_TENSOR_MAP_DATA_TYPE_UINT16, 3, const_cast<void*>(t.base), dims, strides, box, elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE,
                     CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) == CUDA_SUCCESS;
}

bool sameTensor(const FlashTmaTensor& a, const FlashTmaTensor& b) {
  return a.base == b.base && std::equal(a.dims, a.dims + 3, b.dims) && std::equal(a.strides, a.strides + 2, b.strides) && std::equal(a.box, a.box + 3, b.box);
}

// The maps flashTmaPlan asks for; keyBoxRows 0 (cp.async loads) when there
// is no plan or the driver cannot encode one. Repeated launches on the same
// tensors (a timed run's repeats) reuse the last maps instead of encoding
// three again between kernels.
device::FlashTmaMaps tmaMaps(const FlashParams& p, int blockM, int blockN) {
  thread_local FlashTmaPlan lastPlan;
  thread_local device::FlashTmaMaps lastMaps{};
  const FlashTmaPlan plan = flashTmaPlan(p, blockM, blockN);
  if (plan.keyBoxRows == 0) return device::FlashTmaMaps{};
  if (plan.keyBoxRows == lastPlan.keyBoxRows && sameTensor(plan.q, lastPlan.q) && sameTensor(plan.k, lastPlan.k) && sameTensor(plan.v, lastPlan.v))
    return lastMaps;
  device::FlashTmaMaps maps{};
  if (encode(plan.q, &maps.q) && encode(plan.k, &maps.k) && encode(plan.v, &maps.v)) maps.keyBoxRows = plan.keyBoxRows;
  else maps.keyBoxRows = 0;
  lastPlan = plan;
  lastMaps = maps;
  return maps;
}

template <int D, int DV, bool Bf16>
int launchWgmma(const FlashParams& p, cudaStream_t stream) {
  using T = FlashWgmmaTraits<D, DV>;
  const auto kernel = device::flashForwardWgmma<D, DV, Bf16>;
  cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(T::kSmemBytes));
  if (status != cudaSuccess) return static_cast<int>(status);
  const dim3 grid(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads));
  kernel<<<grid, T::kThreads, T::kSmemBytes, stream>>>(p, tmaMaps(p, T::kBlockM, T::kBlockN));
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

bool flashWgmmaLoadsByTma(const FlashParams& p) {
  // The plan's tile shape is the same at every width (FlashWgmmaTraits: 64 x 64).
  using T = FlashWgmmaTraits<64, 64>;
  return flashTmaPlan(p, T::kBlockM, T::kBlockN).keyBoxRows > 0 && tensorMapEncoder() != nullptr;
}

int launchFlashForwardWgmma(const FlashParams& p, FlashStream stream) {
  const bool bf16 = p.element == FlashElement::Bf16;
#define ATTNSCOPE_LAUNCH_WGMMA(D, DV) \
  if (p.d == (D) && p.dv == (DV)) return bf16 ? launchWgmma<D, DV, true>(p, stream) : launchWgmma<D, DV, false>(p, stream);
  ATTNSCOPE_WGMMA_WIDTHS(ATTNSCOPE_LAUNCH_WGMMA)
#undef ATTNSCOPE_LAUNCH_WGMMA
  return static_cast<int>(cudaErrorInvalidValue);
}

}  // namespace attnscope::kernels
