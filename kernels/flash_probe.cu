// Launch of the flash layout's operator kernel (flash_probe_kernel.cuh).
#include <cuda_runtime.h>

#include "flash_probe_kernel.cuh"

namespace attnscope::kernels {

int launchFlashProbe(const FlashProbeParams& p, FlashStream stream) {
  if (!probeCheckParams(p).empty()) return static_cast<int>(cudaErrorInvalidValue);
  const int64_t tiles = probeGridTiles(p.layout);
  if (tiles < 1 || tiles > 0x7fffffff) return static_cast<int>(cudaErrorInvalidValue);
  device::flashProbeFp32<<<static_cast<unsigned>(tiles), kProbeThreads, kProbeSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
