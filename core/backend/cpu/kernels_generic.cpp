// The CPU kernels for the portable path: SSE2, which every x86-64 has, with
// baseline flags (plain arrays elsewhere). Everything this file defines
// besides kernelsGeneric() has internal linkage (see isa_table.hpp).
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif


#include "backend/cpu/isa_table.hpp"

namespace attnscope::cpu {

namespace {
#if defined(__SSE2__)
#include "backend/cpu/simd_sse2.inc"
#else
#include "backend/cpu/simd_generic.inc"
#endif
#include "backend/cpu/kernel_body.inc"
}  // namespace

const IsaTable& kernelsGeneric() { return table("generic"); }

}  // namespace attnscope::cpu
