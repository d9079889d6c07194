// Rounding fp32 to fp16 and bf16 on the host (round to nearest, ties to
// even), as the device's __float2half_rn / __float2bfloat16_rn do. For the
// naive same-precision references of the GPU tests; plain C++.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace attnscope::kernels {

inline float roundToBf16(float x) {
  if (std::isnan(x)) return x;
  uint32_t u = std::bit_cast<uint32_t>(x);
  u += 0x7FFFu + ((u >> 16) & 1u);  // carries into the exponent (and to inf) exactly as hardware rounding does
  return std::bit_cast<float>(u & 0xFFFF0000u);
}

inline float roundToHalf(float x) {
  if (!std::isfinite(x)) return x;
  const float a = std::fabs(x);
  if (a >= 65520.0f) return std::copysign(INFINITY, x);  // beyond half's largest finite value after rounding
  if (a < 6.103515625e-05f) {                           // half subnormals: a fixed quantum of 2^-24
    const float q = std::nearbyint(a * 16777216.0f) / 16777216.0f;
    return std::copysign(q, x);
  }
  uint32_t u = std::bit_cast<uint32_t>(x);
  u += 0x0FFFu + ((u >> 13) & 1u);  // keep 10 mantissa bits
  return std::bit_cast<float>(u & 0xFFFFE000u);
}

}  // namespace attnscope::kernels
