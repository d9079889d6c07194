// Checks a flash launch and picks the path for its element type.
#include "flash_launch.hpp"

#include <cuda_runtime.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "flash_layout_host.hpp"
#include "flash_traits.hpp"

namespace attnscope::kernels {

// ATTNSCOPE_CUDA_FLASH=wgmma (or mma) picks the 16-bit kernel for launches
// whose params leave it to Auto; unset or anything else: mma.
FlashPath configuredFlashPath() {
  static const FlashPath path = [] {
    const char* env = std::getenv("ATTNSCOPE_CUDA_FLASH");
    return env && std::strcmp(env, "wgmma") == 0 ? FlashPath::Wgmma : FlashPath::Mma;
  }();
  return path;
}

namespace {

// wgmma is sm_90a code: it runs on compute capability 9.0 and nothing else.
// Asked on every 16-bit launch, so each device's answer is kept (0 unknown, 1 yes, 2 no).
bool currentDeviceIsSm90() {
  constexpr int kDevices = 64;
  static std::atomic<int> known[kDevices] = {};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return false;
  if (device >= 0 && device < kDevices && known[device].load(std::memory_order_relaxed) != 0) return known[device].load(std::memory_order_relaxed) == 1;
  int major = 0, minor = 0;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess) return false;
  if (cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) return false;
  const bool sm90 = major == 9 && minor == 0;
  if (device >= 0 && device < kDevices) known[device].store(sm90 ? 1 : 2, std::memory_order_relaxed);
  return sm90;
}

}  // namespace

bool flashWgmmaBuilt() {
#if defined(ATTNSCOPE_WGMMA_BUILT)
  return true;
#else
  return false;
#endif
}

#if !defined(ATTNSCOPE_WGMMA_BUILT)
bool flashWgmmaLoadsByTma(const FlashParams&) { return false; }
#endif

FlashPath resolvedFlashPath(const FlashParams& params) {
  if (params.element == FlashElement::Fp32) return FlashPath::Auto;
  FlashParams p = params;
  if (p.path == FlashPath::Auto) p.path = configuredFlashPath();
  return flashWgmmaBuilt() && flashRunsWgmma(p) && currentDeviceIsSm90() ? FlashPath::Wgmma : FlashPath::Mma;
}

int launchFlashForward(const FlashParams& params, FlashStream stream) {
  if (!flashCheckParams(params).empty()) return static_cast<int>(cudaErrorInvalidValue);
  if (params.element == FlashElement::Fp32) return launchFlashForwardFp32(params, stream);
#if defined(ATTNSCOPE_WGMMA_BUILT)
  if (resolvedFlashPath(params) == FlashPath::Wgmma) return launchFlashForwardWgmma(params, stream);
#endif
  return launchFlashForwardMma(params, stream);
}

}  // namespace attnscope::kernels
