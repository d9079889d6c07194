// Tensor-core pieces of the fp16/bf16 kernels (sm_80 and later): the
// m16n8k16 mma.sync and the packing of fp32 values into its 16-bit operands.
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

// Two adjacent 16-bit elements (4-byte aligned) as one register.
__device__ __forceinline__ uint32_t load32(const uint16_t* p) { return *reinterpret_cast<const uint32_t*>(p); }

}  // namespace attnscope::kernels::device
