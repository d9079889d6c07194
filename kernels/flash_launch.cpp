// Checks a flash launch and picks the path for its element type.
#include "flash_launch.hpp"

#include <cuda_runtime.h>

#include "flash_layout_host.hpp"

namespace attnscope::kernels {

int launchFlashForward(const FlashParams& params, FlashStream stream) {
  if (!flashCheckParams(params).empty()) return static_cast<int>(cudaErrorInvalidValue);
  if (params.element == FlashElement::Fp32) return launchFlashForwardFp32(params, stream);
  return launchFlashForwardMma(params, stream);
}

}  // namespace attnscope::kernels
