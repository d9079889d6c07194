// Launching the flash forward kernels. A plain header: cudaStream_t is
// `CUstream_st*`, declared here so callers need no CUDA header to include it.
// Every function returns a cudaError_t as int (0 = cudaSuccess).
#pragma once

#include <cstdint>

#include "flash_params.hpp"

struct CUstream_st;

namespace attnscope::kernels {

using FlashStream = CUstream_st*;  // the same type as cudaStream_t; nullptr = the default stream

// Checks params (flashCheckParams; cudaErrorInvalidValue when they are wrong)
// and launches the kernel for params.element and params.d: all heads and all
// query tiles in one launch, asynchronously on `stream`.
int launchFlashForward(const FlashParams& params, FlashStream stream);

// Writes count fp32 values from src as fp16 (to = Fp16) or bf16 (to = Bf16)
// bit patterns into dst (2 * count bytes), rounding to nearest even.
int launchConvertFromFp32(const float* src, void* dst, int64_t count, FlashElement to, FlashStream stream);

// Which 16-bit kernel launchFlashForward runs for params on the current
// device: Wgmma where it is asked for (params.path, or with Auto the
// ATTNSCOPE_CUDA_FLASH environment variable), built, the widths have it and
// the device is sm_90; otherwise Mma. Auto for fp32 (the SIMT kernel).
FlashPath resolvedFlashPath(const FlashParams& params);
// Whether this build has the sm_90a wgmma kernel (a build for sm_90).
bool flashWgmmaBuilt();
// What FlashPath::Auto means in this process (ATTNSCOPE_CUDA_FLASH): Mma or Wgmma.
FlashPath configuredFlashPath();
// Whether a wgmma launch of params loads its tiles by TMA (flashTmaPlan
// allows it and the driver can encode tensor maps), rather than by cp.async.
bool flashWgmmaLoadsByTma(const FlashParams& params);

// Per-path entry points behind launchFlashForward (params already checked).
int launchFlashForwardFp32(const FlashParams& params, FlashStream stream);
int launchFlashForwardMma(const FlashParams& params, FlashStream stream);
int launchFlashForwardWgmma(const FlashParams& params, FlashStream stream);

}  // namespace attnscope::kernels
