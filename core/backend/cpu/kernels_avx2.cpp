// The CPU kernels for AVX2 with FMA. This file alone is compiled with
// its ISA's flags (core/CMakeLists.txt); everything it defines besides
// kernelsAvx2() has internal linkage (see isa_table.hpp for why).
#include <cstdint>
#include <immintrin.h>

#include "backend/cpu/isa_table.hpp"

namespace attnscope::cpu {

namespace {
#include "backend/cpu/simd_avx2.inc"
#include "backend/cpu/kernel_body.inc"
}  // namespace

const IsaTable& kernelsAvx2() { return table("avx2"); }

}  // namespace attnscope::cpu
