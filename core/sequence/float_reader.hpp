// Reads stored floating-point elements (f16, bf16, f32, f64; either byte
// order) from a source into float32, in bounded chunks, checking each value.
#pragma once

#include <cstdint>
#include <string>

namespace attnscope {

class Source;

enum class StoredFloat { F16, BF16, F32, F64 };

int storedWidth(StoredFloat type);

struct FloatCheck {
  bool allowNonFinite = false;  // false: the first NaN/Inf throws Error(BadValue) naming its byte offset
  uint64_t nonFinite = 0;       // counted when allowed
  uint64_t firstNonFiniteOffset = 0;
};

// Converts `count` elements starting at byte `offset` into dst. The caller has
// already checked that the range lies inside the source.
void readFloats(Source& source, uint64_t offset, uint64_t count, StoredFloat type, bool bigEndian, float* dst, FloatCheck& check);

float halfToFloat(uint16_t h);

}  // namespace attnscope
