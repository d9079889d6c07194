#include "sequence/npy.hpp"

#include <cstring>
#include <fstream>

#include "common/parse.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/source.hpp"

namespace attnscope {

int64_t NpyArray::count() const {
  int64_t c = 1;
  for (int64_t s : shape) c *= s;
  return c;
}

namespace {

constexpr uint64_t kMaxHeaderBytes = 1 << 20;  // real headers are under 1 KiB
constexpr size_t kMaxRank = 32;

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
struct DictValue {
  enum Kind { String, Bool, Tuple, List } kind = String;
  std::string text;                // string contents
  bool flag = false;               // bool value
  std::vector<std::string> items;  // tuple items
  size_t at = 0;                   // offset in the header
};

class DictParser {
 public:
  DictParser(std::string_view text, const std::string& file, uint64_t base) : s_(text), file_(file), base_(base) {}

  std::vector<std::pair<std::string, DictValue>> parse() {
    std::vector<std::pair<std::string, DictValue>> entries;
    expect('{');
    while (true) {
      skipSpace();
      if (peek() == '}') break;
      const size_t keyAt = pos_;
      std::string key = parseString();
      for (const auto& e : entries)
        if (e.first == key) fail(keyAt, "header repeats the key '" + key + "'");
      expect(':');
      entries.emplace_back(std::move(key), parseValue());
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail(pos_, "expected ',' or '}' in the header dict");
    }
    ++pos_;
    skipSpace();
    if (pos_ != s_.size()) fail(pos_, "text after the end of the header dict");
    return entries;
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& what) { failAtByte(ErrorKind::Format, file_, base_ + at, what); }
  char peek() {
    if (pos_ >= s_.size()) fail(pos_, "header ends early");
    return s_[pos_];
  }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  void expect(char c) {
    skipSpace();
    if (peek() != c) fail(pos_, std::string("expected '") + c + "' in the header, found " + quoteForMessage(s_.substr(pos_, 1)));
    ++pos_;
  }
  std::string parseString() {
    skipSpace();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(pos_, "expected a quoted key or string in the header");
    const size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail(pos_, "unterminated string in the header");
    std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return out;
  }
  DictValue parseValue() {
    skipSpace();
    DictValue v;
    v.at = pos_;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = DictValue::String;
      v.text = parseString();
    } else if (s_.substr(pos_, 4) == "True") {
      v.kind = DictValue::Bool;
      v.flag = true;
      pos_ += 4;
    } else if (s_.substr(pos_, 5) == "False") {
      v.kind = DictValue::Bool;
      pos_ += 5;
    } else if (c == '(') {
      v.kind = DictValue::Tuple;
      const size_t end = s_.find(')', pos_);
      if (end == std::string_view::npos) fail(pos_, "unterminated shape tuple");
      const std::string_view inner = s_.substr(pos_ + 1, end - pos_ - 1);
      if (inner.find('(') != std::string_view::npos) fail(pos_, "nested tuple in the header");
      size_t start = 0;
      while (start <= inner.size()) {
        const size_t comma = inner.find(',', start);
        const std::string_view item = trim(inner.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (!item.empty()) v.items.emplace_back(item);
        else if (comma != std::string_view::npos && !(comma + 1 >= inner.size() || trim(inner.substr(comma + 1)).empty()))
          fail(pos_, "empty item in the shape tuple");
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      pos_ = end + 1;
    } else if (c == '[') {
      // Structured dtypes: skip to the matching bracket, refused by the caller.
      v.kind = DictValue::List;
      int depth = 0;
      for (; pos_ < s_.size(); ++pos_) {
        if (s_[pos_] == '[' || s_[pos_] == '(') {
          if (++depth > 32) fail(pos_, "header nests too deeply");
        } else if (s_[pos_] == ']' || s_[pos_] == ')') {
          if (--depth == 0) break;
        }
      }
      if (pos_ >= s_.size()) fail(v.at, "unterminated list in the header");
      ++pos_;
    } else {
      fail(pos_, "unexpected value " + quoteForMessage(s_.substr(pos_, 12)) + " in the header");
    }
    return v;
  }

  std::string_view s_;
  const std::string& file_;
  uint64_t base_;
  size_t pos_ = 0;
};

}  // namespace

NpyHeader readNpyHeader(Source& source) {
  const std::string& file = source.name();
  if (source.size() == 0) failFile(ErrorKind::Format, file, "file is empty");
  const std::string prefix = source.readSome(0, 12);
  if (prefix.size() < 6 || std::memcmp(prefix.data(), "\x93NUMPY", 6) != 0) failAtByte(ErrorKind::Format, file, 0, "not a .npy file (bad magic)");
  if (prefix.size() < 10) failAtByte(ErrorKind::Truncated, file, prefix.size(), "file ends inside the .npy preamble");
  NpyHeader h;
  h.version = static_cast<unsigned char>(prefix[6]);
  uint64_t headerLen = 0, headerStart = 0;
  if (h.version == 1) {
    headerLen = static_cast<unsigned char>(prefix[8]) | (static_cast<unsigned>(static_cast<unsigned char>(prefix[9])) << 8);
    headerStart = 10;
  } else if (h.version == 2 || h.version == 3) {
    if (prefix.size() < 12) failAtByte(ErrorKind::Truncated, file, prefix.size(), "file ends inside the header length");
    for (int i = 0; i < 4; ++i) headerLen |= static_cast<uint64_t>(static_cast<unsigned char>(prefix[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    failAtByte(ErrorKind::Unsupported, file, 6, "unsupported .npy version " + std::to_string(h.version) + "." + std::to_string(static_cast<unsigned char>(prefix[7])));
  }
  if (headerLen > source.size() - headerStart)
    failAtByte(ErrorKind::Truncated, file, headerStart - (h.version == 1 ? 2 : 4),
               "header claims " + std::to_string(headerLen) + " bytes but the file has only " + std::to_string(source.size() - headerStart) + " after it");
  if (headerLen > kMaxHeaderBytes) failAtByte(ErrorKind::TooLarge, file, headerStart, "header of " + std::to_string(headerLen) + " bytes exceeds the limit of 1 MiB");
  std::string header(static_cast<size_t>(headerLen), '\0');
  source.readAt(headerStart, header.data(), header.size());
  if (header.find('\0') != std::string::npos) failAtByte(ErrorKind::Format, file, headerStart + header.find('\0'), "NUL byte in the header");

  bool haveDescr = false, haveOrder = false, haveShape = false;
  DictValue shapeValue;
  for (auto& [key, value] : DictParser(header, file, headerStart).parse()) {
    const uint64_t at = headerStart + value.at;
    if (key == "descr") {
      haveDescr = true;
      if (value.kind == DictValue::List) failAtByte(ErrorKind::Unsupported, file, at, "structured dtypes are not supported (need float16, float32 or float64)");
      if (value.kind != DictValue::String) failAtByte(ErrorKind::Format, file, at, "'descr' is not a string");
      h.descr = value.text;
      const std::string& d = h.descr;
      const std::string type = d.size() >= 2 && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=') ? d.substr(1) : d;
      if (type == "f2" || type == "e") h.type = StoredFloat::F16;
      else if (type == "f4" || type == "f") h.type = StoredFloat::F32;
      else if (type == "f8" || type == "d") h.type = StoredFloat::F64;
      else failAtByte(ErrorKind::Unsupported, file, at, "dtype " + quoteForMessage(d) + " is not float16, float32 or float64");
      h.bigEndian = !d.empty() && d[0] == '>';
    } else if (key == "fortran_order") {
      haveOrder = true;
      if (value.kind != DictValue::Bool) failAtByte(ErrorKind::Format, file, at, "'fortran_order' is neither True nor False");
      h.fortranOrder = value.flag;
    } else if (key == "shape") {
      haveShape = true;
      if (value.kind != DictValue::Tuple) failAtByte(ErrorKind::Format, file, at, "'shape' is not a tuple");
      shapeValue = value;
    }
  }
  if (!haveDescr || !haveOrder || !haveShape)
    failAtByte(ErrorKind::Format, file, headerStart, std::string("header has no '") + (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") + "' entry");
  if (shapeValue.items.size() > kMaxRank) failAtByte(ErrorKind::Format, file, headerStart + shapeValue.at, "shape has more than 32 dimensions");
  unsigned __int128 count = 1;
  for (const std::string& item : shapeValue.items) {
    std::string_view digits = item;
    if (digits.size() > 1 && (digits.back() == 'L' || digits.back() == 'l')) digits.remove_suffix(1);  // Python 2 longs
    const auto v = parseInt(digits);
    if (!v) failAtByte(ErrorKind::Format, file, headerStart + shapeValue.at, "bad dimension " + quoteForMessage(item) + " in the shape");
    if (*v < 0) failAtByte(ErrorKind::Format, file, headerStart + shapeValue.at, "negative dimension " + item + " in the shape");
    h.shape.push_back(*v);
    count *= static_cast<unsigned __int128>(*v);
    if (count > (static_cast<unsigned __int128>(1) << 62)) failAtByte(ErrorKind::TooLarge, file, headerStart + shapeValue.at, "the shape's element count overflows");
  }
  h.count = static_cast<uint64_t>(count);
  h.dataOffset = headerStart + headerLen;
  const unsigned __int128 need = count * static_cast<unsigned>(storedWidth(h.type));
  const uint64_t have = source.size() - h.dataOffset;
  if (need > have)
    failAtByte(ErrorKind::Truncated, file, h.dataOffset,
               "shape needs " + std::to_string(static_cast<uint64_t>(need)) + " bytes of data but the file has " + std::to_string(have));
  return h;
}

void readNpyElements(Source& source, const NpyHeader& h, uint64_t first, uint64_t count, float* dst, FloatCheck& check) {
  readFloats(source, h.dataOffset + first * static_cast<uint64_t>(storedWidth(h.type)), count, h.type, h.bigEndian, dst, check);
}

std::vector<float> fortranToC(const std::vector<float>& data, const std::vector<int64_t>& shape) {
  std::vector<float> out(data.size());
  if (data.empty()) return out;
  const size_t rank = shape.size();
  std::vector<uint64_t> fStride(rank, 1);
  for (size_t k = 1; k < rank; ++k) fStride[k] = fStride[k - 1] * static_cast<uint64_t>(shape[k - 1]);
  std::vector<int64_t> index(rank, 0);
  uint64_t f = 0;
  for (size_t c = 0; c < out.size(); ++c) {
    out[c] = data[f];
    // Advance the C-order index (last dimension fastest), tracking the Fortran offset.
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < shape[k]) {
        f += fStride[k];
        break;
      }
      f -= fStride[k] * static_cast<uint64_t>(shape[k] - 1);
      index[k] = 0;
    }
  }
  return out;
}

NpyArray readNpyArray(Source& source, const NpyReadOptions& options) {
  const NpyHeader h = readNpyHeader(source);
  if (options.maxBytes && h.count * 4 > options.maxBytes)
    failAtByte(ErrorKind::TooLarge, source.name(), h.dataOffset,
               "array of " + formatBytes(static_cast<double>(h.count) * 4) + " exceeds the cap of " + formatBytes(static_cast<double>(options.maxBytes)));
  NpyArray out;
  out.shape = h.shape;
  out.data.resize(static_cast<size_t>(h.count));
  FloatCheck check;
  check.allowNonFinite = options.allowNonFinite;
  readNpyElements(source, h, 0, h.count, out.data.data(), check);
  if (h.fortranOrder) out.data = fortranToC(out.data, h.shape);
  return out;
}

NpyArray parseNpy(const std::string& bytes, const std::string& name, const NpyReadOptions& options) {
  auto source = memorySource(bytes, name);
  return readNpyArray(*source, options);
}

NpyArray readNpy(const std::string& path, const NpyReadOptions& options) {
  auto source = openFileSource(path);
  return readNpyArray(*source, options);
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
