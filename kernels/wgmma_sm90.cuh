// Tensor-core pieces of the sm_90 flash kernel: wgmma (warpgroup MMA, a
// warpgroup = 4 warps = 128 threads) with operands in shared memory through
// matrix descriptors, and the 128-byte swizzled tile layout those
// descriptors describe. wgmma needs the arch-specific target sm_90a; a build
// for anything else traps (the launch refuses other devices first).
// The CPU emulation implements the same instructions (tests/emu/cuda_emu_wgmma.cpp),
// so a layout or descriptor mistake fails the emulated tests too.
//
// Tile layout (16-bit elements, `rows` rows, width a multiple of 64): panels
// of 64 columns, [width / 64][rows][64], each 128-byte row's eight 16-byte
// chunks permuted by XOR with row % 8. That is the PTX ISA's 128-byte
// swizzle, applied by the hardware to shared-address bits [4, 7) ^ [7, 10),
// so every tile starts on a 1024-byte shared address. The same tile serves
// as a K-major operand (Q, K: rows along M or N) and as an MN-major one (V:
// rows along K, with the transpose flag).
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"

namespace attnscope::kernels::device {

// Offset, in elements, of the 16-byte chunk holding columns [8 c, 8 c + 8) of row r.
__host__ __device__ constexpr int swizzledChunk(int rows, int r, int c) { return (c / 8) * rows * 64 + r * 64 + ((c % 8) ^ (r % 8)) * 8; }

// The shared address (offset in the block's shared window) of p.
__device__ __forceinline__ uint32_t sharedAddress(const void* p) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  return ::attnscope::emu::sharedAddress(p);
#else
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
#endif
}

// A 128-byte-swizzle matrix descriptor (PTX ISA "Matrix Descriptor Format"):
// start address, leading and stride byte offsets, all in 16-byte units.
// K-major: SBO = 1024 (the next 8 rows), LBO unused. MN-major: LBO = the
// next 64-column panel, SBO = 1024 (the next 8 rows along K).
__host__ __device__ constexpr uint64_t wgmmaDescriptor(uint32_t start, uint32_t lbo, uint32_t sbo) {
  return static_cast<uint64_t>((start >> 4) & 0x3FFFu) | (static_cast<uint64_t>((lbo >> 4) & 0x3FFFu) << 16) |
         (static_cast<uint64_t>((sbo >> 4) & 0x3FFFu) << 32) | (uint64_t{1} << 62);
}

#if !defined(ATTNSCOPE_CUDA_EMULATION) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define ATTNSCOPE_HAVE_WGMMA 1
// Operand lists of the three shapes the flash kernel uses (generated; the
// accumulators as "+f" pairs in the C-fragment order d[tile][0..3]).
#define ATTNSCOPE_WGMMA_SS_N64(TYPE)                                                                        \
  asm volatile(                                                                                            \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"                                                       \
      "wgmma.mma_async.sync.aligned.m64n64k16.f32." TYPE "." TYPE " {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, %32, %33, p, 1, 1, 0, 0;\n}\n" \
      : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]), "+f"(d[1][0]), "+f"(d[1][1]), "+f"(d[1][2]), "+f"(d[1][3]), "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]), "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]), "+f"(d[4][0]), "+f"(d[4][1]), "+f"(d[4][2]), "+f"(d[4][3]), "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]), "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]), "+f"(d[7][0]), "+f"(d[7][1]), "+f"(d[7][2]), "+f"(d[7][3]) \
      : "l"(descA), "l"(descB), "r"(static_cast<int>(accumulate)))

#define ATTNSCOPE_WGMMA_RS_N64(TYPE)                                                                      \
  asm volatile(                                                                                            \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"                                                      \
      "wgmma.mma_async.sync.aligned.m64n64k16.f32." TYPE "." TYPE " {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, {%32, %33, %34, %35}, %36, p, 1, 1, 1;\n}\n" \
      : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]), "+f"(d[1][0]), "+f"(d[1][1]), "+f"(d[1][2]), "+f"(d[1][3]), "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]), "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]), "+f"(d[4][0]), "+f"(d[4][1]), "+f"(d[4][2]), "+f"(d[4][3]), "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]), "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]), "+f"(d[7][0]), "+f"(d[7][1]), "+f"(d[7][2]), "+f"(d[7][3]) \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(static_cast<int>(accumulate)))

#define ATTNSCOPE_WGMMA_RS_N128(TYPE)                                                                      \
  asm volatile(                                                                                            \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"                                                      \
      "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, {%64, %65, %66, %67}, %68, p, 1, 1, 1;\n}\n" \
      : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]), "+f"(d[1][0]), "+f"(d[1][1]), "+f"(d[1][2]), "+f"(d[1][3]), "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]), "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]), "+f"(d[4][0]), "+f"(d[4][1]), "+f"(d[4][2]), "+f"(d[4][3]), "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]), "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]), "+f"(d[7][0]), "+f"(d[7][1]), "+f"(d[7][2]), "+f"(d[7][3]), "+f"(d[8][0]), "+f"(d[8][1]), "+f"(d[8][2]), "+f"(d[8][3]), "+f"(d[9][0]), "+f"(d[9][1]), "+f"(d[9][2]), "+f"(d[9][3]), "+f"(d[10][0]), "+f"(d[10][1]), "+f"(d[10][2]), "+f"(d[10][3]), "+f"(d[11][0]), "+f"(d[11][1]), "+f"(d[11][2]), "+f"(d[11][3]), "+f"(d[12][0]), "+f"(d[12][1]), "+f"(d[12][2]), "+f"(d[12][3]), "+f"(d[13][0]), "+f"(d[13][1]), "+f"(d[13][2]), "+f"(d[13][3]), "+f"(d[14][0]), "+f"(d[14][1]), "+f"(d[14][2]), "+f"(d[14][3]), "+f"(d[15][0]), "+f"(d[15][1]), "+f"(d[15][2]), "+f"(d[15][3]) \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(static_cast<int>(accumulate)))
#endif

// wgmma.fence: orders this warpgroup's register accesses (accumulators, A
// registers) before the wgmma that follows.
__device__ __forceinline__ void wgmmaFence() {
#if defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#endif
}

__device__ __forceinline__ void wgmmaCommit() {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::wgmmaCommit();
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
#endif
}

template <int Pending>
__device__ __forceinline__ void wgmmaWait() {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::wgmmaWait(Pending);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(Pending) : "memory");
#endif
}

// Keeps the compiler from moving reads or writes of accumulators across a
// wgmma step it cannot see into (the asm above touches them asynchronously).
template <int Tiles>
__device__ __forceinline__ void wgmmaFenceOperands(float (&d)[Tiles][4]) {
#if !defined(ATTNSCOPE_CUDA_EMULATION)
#pragma unroll
  for (int t = 0; t < Tiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) asm volatile("" : "+f"(d[t][e])::"memory");
#else
  (void)d;
#endif
}

// Shared writes by ordinary stores and cp.async, made visible to wgmma's
// (the async proxy's) reads; each writing thread fences before the barrier.
__device__ __forceinline__ void fenceSharedForWgmma() {
#if defined(ATTNSCOPE_HAVE_WGMMA)
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
#endif
}

// D (64 x N) (+)= A (64 x 16, K-major from descA) * B (16 x N, K-major from descB).
template <int N, bool Bf16>
__device__ __forceinline__ void wgmmaSharedA(float (&d)[N / 8][4], uint64_t descA, uint64_t descB, bool accumulate) {
  static_assert(N == 64, "built for the score tile's 64 keys");
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::wgmmaMma(&d[0][0], N, descA, nullptr, descB, accumulate, false,
                             Bf16 ? ::attnscope::emu::MmaElement::Bf16 : ::attnscope::emu::MmaElement::Fp16);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  if constexpr (Bf16) ATTNSCOPE_WGMMA_SS_N64("bf16");
  else ATTNSCOPE_WGMMA_SS_N64("f16");
#else
  (void)d;
  (void)descA;
  (void)descB;
  (void)accumulate;
  __trap();
#endif
}

// D (64 x N) (+)= A (64 x 16, this thread's 4 registers in the mma.sync A
// layout of its warp's 16 rows) * B (16 x N, MN-major from descB).
template <int N, bool Bf16>
__device__ __forceinline__ void wgmmaRegisterA(float (&d)[N / 8][4], const uint32_t (&a)[4], uint64_t descB, bool accumulate) {
  static_assert(N == 64 || N == 128, "built for value widths 64 and 128");
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::wgmmaMma(&d[0][0], N, 0, a, descB, accumulate, true,
                             Bf16 ? ::attnscope::emu::MmaElement::Bf16 : ::attnscope::emu::MmaElement::Fp16);
#elif defined(ATTNSCOPE_HAVE_WGMMA)
  if constexpr (N == 64) {
    if constexpr (Bf16) ATTNSCOPE_WGMMA_RS_N64("bf16");
    else ATTNSCOPE_WGMMA_RS_N64("f16");
  } else {
    if constexpr (Bf16) ATTNSCOPE_WGMMA_RS_N128("bf16");
    else ATTNSCOPE_WGMMA_RS_N128("f16");
  }
#else
  (void)d;
  (void)a;
  (void)descB;
  (void)accumulate;
  __trap();
#endif
}

}  // namespace attnscope::kernels::device
