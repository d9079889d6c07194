#include "sequence/float_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "sequence/load_errors.hpp"
#include "sequence/source.hpp"

namespace attnscope {

int storedWidth(StoredFloat type) {
  switch (type) {
    case StoredFloat::F16:
    case StoredFloat::BF16: return 2;
    case StoredFloat::F32: return 4;
    case StoredFloat::F64: return 8;
  }
  return 4;
}

float halfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float value;
  if (exp == 0) value = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31) value = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else value = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -value : value;
}

void readFloats(Source& source, uint64_t offset, uint64_t count, StoredFloat type, bool bigEndian, float* dst, FloatCheck& check) {
  const size_t width = static_cast<size_t>(storedWidth(type));
  constexpr size_t kChunkElements = 1 << 18;
  std::vector<unsigned char> raw(std::min<uint64_t>(count, kChunkElements) * width);
  for (uint64_t done = 0; done < count;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunkElements, count - done));
    const uint64_t chunkOffset = offset + done * width;
    source.readAt(chunkOffset, raw.data(), n * width);
    for (size_t i = 0; i < n; ++i) {
      unsigned char b[8];
      const unsigned char* p = raw.data() + i * width;
      for (size_t k = 0; k < width; ++k) b[k] = bigEndian ? p[width - 1 - k] : p[k];
      float v;
      if (type == StoredFloat::F32) {
        std::memcpy(&v, b, 4);
      } else if (type == StoredFloat::F64) {
        double d;
        std::memcpy(&d, b, 8);
        // A finite double past float range would silently become Inf.
        if (std::isfinite(d) && std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max()))
          v = std::numeric_limits<float>::infinity();
        else
          v = static_cast<float>(d);
      } else if (type == StoredFloat::F16) {
        uint16_t h;
        std::memcpy(&h, b, 2);
        v = halfToFloat(h);
      } else {
        uint16_t h;
        std::memcpy(&h, b, 2);
        const uint32_t bits = static_cast<uint32_t>(h) << 16;
        std::memcpy(&v, &bits, 4);
      }
      if (!std::isfinite(v)) {
        const uint64_t at = chunkOffset + i * width;
        if (!check.allowNonFinite)
          failAtByte(ErrorKind::BadValue, source.name(), at,
                     std::string("value is not finite (") + (std::isnan(v) ? "NaN" : "Inf or past float32 range") + ")");
        if (check.nonFinite++ == 0) check.firstNonFiniteOffset = at;
      }
      dst[done + i] = v;
    }
    done += n;
  }
}

}  // namespace attnscope
