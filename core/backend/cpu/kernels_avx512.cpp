// The CPU kernels for AVX-512 (F, VL, BW, DQ) with FMA. This file alone is compiled with
// its ISA's flags (core/CMakeLists.txt); everything it defines besides
// kernelsAvx512() has internal linkage (see isa_table.hpp for why).
#include <cstdint>
#include <immintrin.h>

#include "backend/cpu/isa_table.hpp"

namespace attnscope::cpu {

namespace {
#include "backend/cpu/simd_avx512.inc"
#include "backend/cpu/kernel_body.inc"
}  // namespace

const IsaTable& kernelsAvx512() { return table("avx512"); }

}  // namespace attnscope::cpu
