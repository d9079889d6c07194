// Tensor-core pieces of the fp16/bf16 kernels (sm_80 and later): the
// m16n8k16 mma.sync, ldmatrix for its fragments, cp.async for the tiles, and
// the packing of fp32 values into 16-bit operands.
// Fragment layouts are the PTX ISA's; the CPU emulation implements the same
// instruction, so a layout mistake fails the emulated tests too.
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"

namespace attnscope::kernels::device {

// D (16x8, fp32) += A (16x16, row-major) * B (16x8, column-major).
// A: a[0] rows g, cols 2t..2t+1; a[1] rows g+8; a[2] cols +8; a[3] both (g = lane / 4, t = lane % 4).
// B: b0 rows (k) 2t..2t+1 of column g, b1 rows +8. C: c[0..1] row g, cols 2t..2t+1; c[2..3] row g+8.
template <bool Bf16>
__device__ __forceinline__ void mma16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::mmaM16N8K16(c, a, b0, b1, Bf16 ? ::attnscope::emu::MmaElement::Bf16 : ::attnscope::emu::MmaElement::Fp16);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (Bf16) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
#else
  // Never built for a GPU without mma.sync: flashSupports refuses compute capability < 8.0.
  (void)c;
  (void)a;
  (void)b0;
  (void)b1;
  __trap();
#endif
}

// Two fp32 values as one register of two 16-bit values; lo (the lower column) in the low half.
template <bool Bf16>
__device__ __forceinline__ uint32_t pack2(float lo, float hi) {
  if constexpr (Bf16) {
    const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return static_cast<uint32_t>(__bfloat16_as_ushort(h.x)) | (static_cast<uint32_t>(__bfloat16_as_ushort(h.y)) << 16);
  } else {
    const __half2 h = __floats2half2_rn(lo, hi);
    return static_cast<uint32_t>(__half_as_ushort(h.x)) | (static_cast<uint32_t>(__half_as_ushort(h.y)) << 16);
  }
}

// ldmatrix.sync.aligned.m8n8.x4(.trans).shared.b16: lanes 8m .. 8m + 7 pass
// the row addresses of 8 x 8 matrix m (16-byte aligned rows of 8 elements);
// lane l gets in r[m] the pair (row l / 4, columns 2 (l % 4), + 1) of matrix m,
// or with Trans the pair (rows 2 (l % 4), + 1; column l / 4): exactly an
// mma A or B fragment register, from row-major tiles, in one instruction.
template <bool Trans>
__device__ __forceinline__ void ldmatrixX4(uint32_t (&r)[4], const uint16_t* rowAddress) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::ldmatrixX4(r, rowAddress, Trans);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  const unsigned address = static_cast<unsigned>(__cvta_generic_to_shared(rowAddress));
  if constexpr (Trans) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n" : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(address));
  } else {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n" : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(address));
  }
#else
  (void)r;
  (void)rowAddress;
  __trap();
#endif
}

// Row addresses each lane passes to ldmatrixX4 for the fragments the flash
// kernel needs, from row-major 16-bit tiles with `stride` elements per row:
// - A of rows [r0, r0 + 16) x columns [k0, k0 + 16): r = {a0, a1, a2, a3}.
__device__ __forceinline__ const uint16_t* rowsForA(const uint16_t* tile, int stride, int r0, int k0, int lane) {
  return tile + (r0 + (lane & 15)) * stride + k0 + (lane >> 4) * 8;
}
// - B of two n8 tiles from a [n][k] tile (keys by rows: S = Q K^T), rows
//   [n0, n0 + 16) x columns [k0, k0 + 16): r = {b0, b1 of n0; b0, b1 of n0 + 8}.
__device__ __forceinline__ const uint16_t* rowsForBFromNk(const uint16_t* tile, int stride, int n0, int k0, int lane) {
  return tile + (n0 + (lane & 7) + (lane >> 4) * 8) * stride + k0 + ((lane >> 3) & 1) * 8;
}
// - B of two n8 tiles from a [k][n] tile (values by rows: O = P V), with
//   .trans: rows [k0, k0 + 16) x columns [n0, n0 + 16): the same r order.
__device__ __forceinline__ const uint16_t* rowsForBFromKn(const uint16_t* tile, int stride, int k0, int n0, int lane) {
  return tile + (k0 + (lane & 15)) * stride + n0 + (lane >> 4) * 8;
}

// cp.async of 16 bytes global -> shared, bypassing L1 (.cg); valid = false
// zero-fills (source size 0, nothing read). Committed groups are waited for
// with cpAsyncWait<N> (at most N groups still in flight), and, like any
// shared store, seen by other threads only after a barrier.
__device__ __forceinline__ void cpAsync16(void* dst, const void* src, bool valid) {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::cpAsync16(dst, src, valid);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  const unsigned address = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(address), "l"(src), "r"(valid ? 16 : 0));
#else
  (void)dst;
  (void)src;
  (void)valid;
  __trap();
#endif
}

__device__ __forceinline__ void cpAsyncCommit() {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::cpAsyncCommit();
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.commit_group;\n" ::);
#endif
}

template <int N>
__device__ __forceinline__ void cpAsyncWait() {
#if defined(ATTNSCOPE_CUDA_EMULATION)
  ::attnscope::emu::cpAsyncWait(N);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
#endif
}

// Two adjacent 16-bit elements (4-byte aligned) as one register.
__device__ __forceinline__ uint32_t load32(const uint16_t* p) { return *reinterpret_cast<const uint32_t*>(p); }

}  // namespace attnscope::kernels::device
