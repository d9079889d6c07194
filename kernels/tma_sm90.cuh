// TMA pieces of the sm_90 flash kernel: tensor copies global -> shared
// (cp.async.bulk.tensor) that complete on an mbarrier in shared memory. The
// tensor maps are built on the host (flash_fwd_wgmma.cu) with the 128-byte
// swizzle, so each box lands exactly in the swizzled tile layout wgmma's
// descriptors read (wgmma_sm90.cuh). sm_90a code, like wgmma; the CPU
// emulation implements the same steps (tests/emu/cuda_emu_tma.cpp).
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"
#include "wgmma_sm90.cuh"

#if !defined(ATTNSCOPE_CUDA_EMULATION)
#include <cuda.h>  // CUtensorMap
#endif

namespace attnscope::kernels::device {

#if defined(ATTNSCOPE_CUDA_EMULATION)
using TensorMap = ::attnscope::emu::TensorMap;
#define ATTNSCOPE_GRID_CONSTANT
#else
using TensorMap = CUtensorMap;
#define ATTNSCOPE_GRID_CONSTANT __grid_constant__
#endif

// The wgmma kernel's second parameter: where its tiles come from by TMA.
// keyBoxRows 0: no maps, every tile by cp.async.
struct FlashTmaMaps {
  TensorMap q, k, v;  // [heads][rows][width] 16-bit, boxes of 64 columns: Q 64 rows, K and V keyBoxRows rows
  int keyBoxRows = 0;
};

__device__ __forceinline__ void mbarrierInit(uint64_t* bar, int count) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::mbarrierInit(bar, count);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(sharedAddress(bar)), "r"(count) : "memory");
  asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
#else
  (void)bar;
  (void)count;
  __trap();
#endif
}

__device__ __forceinline__ void mbarrierArriveExpectTx(uint64_t* bar, uint32_t bytes) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::mbarrierArriveExpectTx(bar, bytes);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(sharedAddress(bar)), "r"(bytes) : "memory");
#else
  (void)bar;
  (void)bytes;
  __trap();
#endif
}

// Returns once the phase of the given parity has completed.
__device__ __forceinline__ void mbarrierWait(uint64_t* bar, int parity) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::mbarrierWait(bar, parity);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  const uint32_t address = sharedAddress(bar);
  uint32_t done = 0;
  while (!done)
    asm volatile("{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
                 : "=r"(done)
                 : "r"(address), "r"(parity)
                 : "memory");
#else
  (void)bar;
  (void)parity;
  __trap();
#endif
}

// The box at element coordinates (x, y, z) of map into shared memory at dst
// (a 1024-byte shared address); its bytes complete on bar.
__device__ __forceinline__ void tmaLoad3d(void* dst, const TensorMap* map, int x, int y, int z, uint64_t* bar) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::tmaLoad3d(dst, *map, x, y, z, bar);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4}], [%5];\n" ::"r"(sharedAddress(dst)),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(x), "r"(y), "r"(z), "r"(sharedAddress(bar))
      : "memory");
#else
  (void)dst;
  (void)map;
  (void)x;
  (void)y;
  (void)z;
  (void)bar;
  __trap();
#endif
}

}  // namespace attnscope::kernels::device
