// Fixture writers for the loader suites: every file a test reads is written
// by the test itself into a QTemporaryDir.
#pragma once

#include <QTemporaryDir>
#include <QtTest>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "sequence/loader.hpp"

namespace attnscope::testing {

inline std::string writeFixture(const QTemporaryDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

template <typename T>
void appendLE(std::string& out, T value, bool bigEndian = false) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &value, sizeof(T));
  for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>(bigEndian ? b[sizeof(T) - 1 - i] : b[i]);
}

inline uint16_t floatToHalf(float f) {
  // Exact for the small multiples of 1/8 the fixtures use.
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000;
  const int exp = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
  const uint32_t mant = (x >> 13) & 0x3ff;
  if ((x & 0x7fffffff) == 0) return static_cast<uint16_t>(sign);
  if ((x & 0x7f800000) == 0x7f800000) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp) << 10) | mant);
}

inline uint16_t floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return static_cast<uint16_t>(x >> 16);
}

// Elements of dtype "f2", "f4", "f8", "bf16" in the given byte order.
inline std::string encodeFloats(const std::vector<float>& values, const std::string& type, bool bigEndian = false) {
  std::string out;
  for (float v : values) {
    if (type == "f4") appendLE(out, v, bigEndian);
    else if (type == "f8") appendLE(out, static_cast<double>(v), bigEndian);
    else if (type == "f2") appendLE(out, floatToHalf(v), bigEndian);
    else appendLE(out, floatToBf16(v), bigEndian);
  }
  return out;
}

// A .npy file with a raw header dict text (so tests can make it lie).
inline std::string npyWithHeader(const std::string& dict, const std::string& data, int version = 1) {
  std::string header = dict;
  const size_t pre = version == 1 ? 10 : 12;
  header.append((64 - (pre + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(version);
  out += '\0';
  if (version == 1) appendLE(out, static_cast<uint16_t>(header.size()));
  else appendLE(out, static_cast<uint32_t>(header.size()));
  return out + header + data;
}

inline std::string shapeTuple(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  return s + ")";
}

inline std::string npyBytes(const std::vector<int64_t>& shape, const std::vector<float>& values, const std::string& descr = "<f4", bool fortran = false,
                            int version = 1) {
  const std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shapeTuple(shape) + ", }";
  return npyWithHeader(dict, encodeFloats(values, descr.substr(1), descr[0] == '>'), version);
}

struct StTensor {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::string raw;
};

// A .safetensors file; `headerOverride` replaces the generated JSON when set.
inline std::string safetensorsBytes(const std::vector<StTensor>& tensors, const std::string& headerOverride = "") {
  std::string json = "{\"__metadata__\":{\"format\":\"pt\"}", blob;
  for (const auto& t : tensors) {
    json += ",\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i) json += (i ? "," : "") + std::to_string(t.shape[i]);
    json += "],\"data_offsets\":[" + std::to_string(blob.size()) + "," + std::to_string(blob.size() + t.raw.size()) + "]}";
    blob += t.raw;
  }
  json += "}";
  if (!headerOverride.empty()) json = headerOverride;
  std::string out;
  appendLE(out, static_cast<uint64_t>(json.size()));
  return out + json + blob;
}

inline std::vector<float> ramp(size_t count, float scale = 0.125f) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) v[i] = static_cast<float>(static_cast<int>(i % 23) - 11) * scale;
  return v;
}

// Runs fn, which must throw Error of `kind` whose message contains every part.
inline void expectLoadError(const std::function<void()>& fn, ErrorKind kind, const std::vector<std::string>& parts, const char* file, int line) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (e.kind() != kind)
      QTest::qFail(qPrintable(QString("expected %1, got %2: %3").arg(errorKindName(kind), errorKindName(e.kind()), QString::fromStdString(msg))), file, line);
    for (const auto& p : parts)
      if (msg.find(p) == std::string::npos)
        QTest::qFail(qPrintable(QString("message lacks '%1': %2").arg(QString::fromStdString(p), QString::fromStdString(msg))), file, line);
    return;
  }
  QTest::qFail(qPrintable(QString("expected an Error of kind %1, none thrown").arg(errorKindName(kind))), file, line);
}

#define EXPECT_LOAD_ERROR(expr, kind, ...)                                                                    \
  do {                                                                                                        \
    ::attnscope::testing::expectLoadError([&] { (void)(expr); }, kind, {__VA_ARGS__}, __FILE__, __LINE__);   \
    if (QTest::currentTestFailed()) return;                                                                   \
  } while (0)

inline bool hasWarning(const Sequence& s, const std::string& part) {
  for (const auto& w : s.warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace attnscope::testing
