#include "sequence/npy.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/error.hpp"
#include "common/parse.hpp"

namespace attnscope {

int64_t NpyArray::count() const {
  int64_t c = 1;
  for (int64_t s : shape) c *= s;
  return c;
}

namespace {

[[noreturn]] void fail(ErrorKind kind, const std::string& name, size_t offset, const std::string& what) {
  throw Error(kind, name + ": at byte " + std::to_string(offset) + ": " + what);
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, path + ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::Io, path + ": read failed");
  return ss.str();
}

// Extracts the value text after 'key': in a Python dict literal header.
std::string headerValue(const std::string& header, const std::string& key, const std::string& name, size_t base) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos) fail(ErrorKind::Format, name, base, "header has no '" + key + "' entry");
  if (header.find("'" + key + "'", pos + 1) != std::string::npos)
    fail(ErrorKind::Format, name, base + pos, "header repeats '" + key + "'");
  pos = header.find(':', pos);
  if (pos == std::string::npos) fail(ErrorKind::Format, name, base, "header entry '" + key + "' has no value");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  size_t end = pos;
  if (end < header.size() && header[end] == '(') {
    end = header.find(')', end);
    if (end == std::string::npos) fail(ErrorKind::Format, name, base + pos, "unterminated shape tuple");
    ++end;
  } else if (end < header.size() && header[end] == '\'') {
    end = header.find('\'', end + 1);
    if (end == std::string::npos) fail(ErrorKind::Format, name, base + pos, "unterminated string");
    ++end;
  } else {
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  }
  return header.substr(pos, end - pos);
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float value;
  if (exp == 0) value = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31) value = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else value = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -value : value;
}

}  // namespace

NpyArray parseNpy(const std::string& bytes, const std::string& name, const NpyReadOptions& options) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), magic, 6) != 0)
    fail(bytes.size() < 10 ? ErrorKind::Truncated : ErrorKind::Format, name, 0, "not a .npy file (bad magic)");
  const unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen = 0, headerStart = 0;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(ErrorKind::Truncated, name, bytes.size(), "file ends inside the header length");
    headerLen = 0;
    for (int i = 0; i < 4; ++i) headerLen |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    fail(ErrorKind::Unsupported, name, 6, "unsupported .npy version " + std::to_string(major));
  }
  if (headerLen > bytes.size() - headerStart)
    fail(ErrorKind::Truncated, name, headerStart, "header claims " + std::to_string(headerLen) + " bytes but the file has only " + std::to_string(bytes.size() - headerStart) + " left");
  const std::string header = bytes.substr(headerStart, headerLen);
  const std::string descr = headerValue(header, "descr", name, headerStart);
  const std::string order = std::string(trim(headerValue(header, "fortran_order", name, headerStart)));
  const std::string shapeText = headerValue(header, "shape", name, headerStart);

  if (order != "False") {
    if (order == "True") fail(ErrorKind::Unsupported, name, headerStart, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
    fail(ErrorKind::Format, name, headerStart, "fortran_order is neither True nor False");
  }
  if (descr.size() < 4) fail(ErrorKind::Format, name, headerStart, "malformed dtype " + descr);
  const char endian = descr[1];
  const std::string type = descr.substr(2, descr.size() - 3);
  int width = 0;
  if (type == "f4") width = 4;
  else if (type == "f2") width = 2;
  else if (type == "f8") width = 8;
  else fail(ErrorKind::Unsupported, name, headerStart, "dtype " + descr + " is not float16/32/64");
  if (endian != '<' && endian != '>' && endian != '|' && endian != '=')
    fail(ErrorKind::Format, name, headerStart, "malformed dtype " + descr);
  const bool swap = endian == '>';

  NpyArray out;
  if (shapeText.size() < 2 || shapeText.front() != '(' || shapeText.back() != ')')
    fail(ErrorKind::Format, name, headerStart, "malformed shape " + shapeText);
  std::string inner = shapeText.substr(1, shapeText.size() - 2);
  unsigned __int128 count = 1;
  size_t start = 0;
  while (start <= inner.size()) {
    size_t comma = inner.find(',', start);
    std::string_view item = trim(std::string_view(inner).substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) {
      auto v = parseInt(item);
      if (!v || *v < 0) fail(ErrorKind::Format, name, headerStart, "bad dimension '" + std::string(item) + "' in shape " + shapeText);
      out.shape.push_back(*v);
      count *= static_cast<unsigned __int128>(*v);
      if (count > (static_cast<unsigned __int128>(1) << 62)) fail(ErrorKind::TooLarge, name, headerStart, "shape " + shapeText + " overflows");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const size_t dataStart = headerStart + headerLen;
  const unsigned __int128 need = count * static_cast<unsigned>(width);
  const size_t have = bytes.size() - dataStart;
  if (need > have)
    fail(ErrorKind::Truncated, name, dataStart, "shape " + shapeText + " needs " + std::to_string(static_cast<uint64_t>(need)) + " bytes of data but the file has " + std::to_string(have));
  if (options.maxBytes && count * 4 > options.maxBytes)
    fail(ErrorKind::TooLarge, name, dataStart, "array of " + formatBytes(static_cast<double>(count * 4)) + " exceeds the cap of " + formatBytes(static_cast<double>(options.maxBytes)));

  out.data.resize(static_cast<size_t>(count));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data() + dataStart);
  for (size_t i = 0; i < out.data.size(); ++i, p += width) {
    unsigned char b[8];
    for (int k = 0; k < width; ++k) b[k] = swap ? p[width - 1 - k] : p[k];
    float v;
    if (width == 4) std::memcpy(&v, b, 4);
    else if (width == 8) {
      double dv;
      std::memcpy(&dv, b, 8);
      v = static_cast<float>(dv);
    } else {
      uint16_t h;
      std::memcpy(&h, b, 2);
      v = halfToFloat(h);
    }
    if (!options.allowNonFinite && !std::isfinite(v))
      fail(ErrorKind::BadValue, name, dataStart + i * width, "element " + std::to_string(i) + " is not finite");
    out.data[i] = v;
  }
  return out;
}

NpyArray readNpy(const std::string& path, const NpyReadOptions& options) {
  return parseNpy(readWholeFile(path), path, options);
}

void writeNpy(const std::string& path, const float* data, const std::vector<int64_t>& shape) {
  std::string shapeText = "(";
  int64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    shapeText += std::to_string(shape[i]);
    shapeText += (shape.size() == 1 || i + 1 < shape.size()) ? "," : "";
    if (i + 1 < shape.size()) shapeText += " ";
    count *= shape[i];
  }
  shapeText += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(ErrorKind::Io, path + ": cannot open for writing");
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char lenBytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(lenBytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
  if (!out) throw Error(ErrorKind::Io, path + ": write failed");
}

}  // namespace attnscope
