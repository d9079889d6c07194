// Launch of the factored A's map kernel (lowrank_map_kernel.cuh).
#include <cuda_runtime.h>

#include "lowrank_map_kernel.cuh"

namespace attnscope::kernels {

int launchLowRankMap(const LowRankMapParams& p, FlashStream stream) {
  if (!lowRankMapCheckParams(p).empty()) return static_cast<int>(cudaErrorInvalidValue);
  const dim3 grid(static_cast<unsigned>(lowRankMapTilesX(p)), static_cast<unsigned>(lowRankMapGridY(p)));
  device::lowRankMapFp32<<<grid, kLowRankThreads, kLowRankSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
