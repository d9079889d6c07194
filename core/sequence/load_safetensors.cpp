// .safetensors: an 8-byte little-endian header length, a JSON header naming
// each tensor's dtype, shape and byte range, then the data. Everything the
// header claims is checked against the real file size before anything is
// allocated; duplicate keys and deep nesting are refused before parsing.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/parse.hpp"
#include "sequence/float_reader.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/loader.hpp"
#include "sequence/source.hpp"
#include "sequence/tensor_shapes.hpp"

namespace attnscope {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100u << 20;  // the format's own limit
constexpr int kMaxDepth = 16;                     // a valid header nests 3 deep
constexpr size_t kMaxRank = 32;

struct TensorEntry {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t count = 1;
  uint64_t begin = 0, end = 0;  // relative to the data section
};

int dtypeWidth(const std::string& dtype) {
  static const std::pair<const char*, int> widths[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"U64", 8},
                                                       {"I32", 4}, {"U32", 4}, {"I16", 2}, {"U16", 2}, {"I8", 1},   {"U8", 1},
                                                       {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"C64", 8}};
  for (const auto& [name, w] : widths)
    if (dtype == name) return w;
  return 0;
}

struct DuplicateKey {
  std::string key;
};

// Refuses nesting deeper than kMaxDepth before the JSON parser sees the text.
void checkDepth(const std::string& header, const std::string& file) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) failAtByte(ErrorKind::Format, file, 8 + i, "JSON header nests deeper than " + std::to_string(kMaxDepth) + " levels");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

nlohmann::json parseHeader(const std::string& header, const std::string& file) {
  checkDepth(header, file);
  // One set of keys per open object; a repeated key would silently replace a tensor.
  std::vector<std::vector<std::string>> keys;
  auto callback = [&keys](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::object_start) keys.emplace_back();
    else if (event == nlohmann::json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    else if (event == nlohmann::json::parse_event_t::key && !keys.empty()) {
      const std::string key = parsed.get<std::string>();
      auto& seen = keys.back();
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) throw DuplicateKey{key};
      seen.push_back(key);
    }
    return true;
  };
  try {
    return nlohmann::json::parse(header, callback);
  } catch (const DuplicateKey& d) {
    const std::string quoted = nlohmann::json(d.key).dump();
    const size_t first = header.find(quoted);
    const size_t second = first == std::string::npos ? std::string::npos : header.find(quoted, first + 1);
    failAtByte(ErrorKind::Format, file, 8 + (second == std::string::npos ? 0 : second), "JSON header repeats the key " + quoteForMessage(d.key));
  } catch (const nlohmann::json::parse_error& e) {
    failAtByte(ErrorKind::Format, file, 8 + (e.byte > 0 ? e.byte - 1 : 0), std::string("invalid JSON header (") + e.what() + ")");
  } catch (const nlohmann::json::exception& e) {
    failAtByte(ErrorKind::Format, file, 8, std::string("invalid JSON header (") + e.what() + ")");
  }
}

std::vector<TensorEntry> readEntries(const nlohmann::json& header, const std::string& file, uint64_t dataSize) {
  if (!header.is_object()) failAtByte(ErrorKind::Format, file, 8, "JSON header is not an object");
  std::vector<TensorEntry> entries;
  for (const auto& [name, value] : header.items()) {
    const std::string where = "tensor " + quoteForMessage(name);
    if (name == "__metadata__") {
      if (!value.is_object()) failFile(ErrorKind::Format, file, "'__metadata__' is not an object");
      continue;
    }
    if (!value.is_object()) failFile(ErrorKind::Format, file, where + " is not an object");
    TensorEntry t;
    t.name = name;
    const auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string()) failFile(ErrorKind::Format, file, where + " has no string 'dtype'");
    t.dtype = dtype->get<std::string>();
    const int width = dtypeWidth(t.dtype);
    if (width == 0) failFile(ErrorKind::Format, file, where + " has unknown dtype " + quoteForMessage(t.dtype));
    const auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array()) failFile(ErrorKind::Format, file, where + " has no 'shape' array");
    if (shape->size() > kMaxRank) failFile(ErrorKind::Format, file, where + " has more than 32 dimensions");
    unsigned __int128 count = 1;
    for (const auto& dim : *shape) {
      if (dim.is_number_integer() && !dim.is_number_unsigned()) failFile(ErrorKind::Format, file, where + " has a negative dimension " + dim.dump());
      if (!dim.is_number_unsigned()) failFile(ErrorKind::Format, file, where + " has a dimension that is not a whole number: " + dim.dump().substr(0, 40));
      const uint64_t v = dim.get<uint64_t>();
      if (v > static_cast<uint64_t>(INT64_MAX)) failFile(ErrorKind::TooLarge, file, where + " has a dimension past 2^63");
      t.shape.push_back(static_cast<int64_t>(v));
      count *= v;
      if (count > (static_cast<unsigned __int128>(1) << 62)) failFile(ErrorKind::TooLarge, file, where + ": the shape's element count overflows");
    }
    t.count = static_cast<uint64_t>(count);
    const auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
      failFile(ErrorKind::Format, file, where + " has no 'data_offsets' pair of whole numbers");
    t.begin = (*offsets)[0].get<uint64_t>();
    t.end = (*offsets)[1].get<uint64_t>();
    if (t.begin > t.end) failFile(ErrorKind::Format, file, where + " has data_offsets that run backwards");
    if (t.end > dataSize)
      failFile(ErrorKind::Truncated, file, where + " claims data up to byte " + std::to_string(t.end) + " of the data section, but the file holds only " + std::to_string(dataSize));
    if (static_cast<unsigned __int128>(t.end - t.begin) != count * static_cast<unsigned>(width))
      failFile(ErrorKind::Format, file, where + " has " + std::to_string(t.end - t.begin) + " bytes of data but its shape and dtype need " +
                                            std::to_string(static_cast<uint64_t>(count * static_cast<unsigned>(width))));
    entries.push_back(std::move(t));
  }
  std::vector<const TensorEntry*> byOffset;
  for (const auto& e : entries)
    if (e.end > e.begin) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](const TensorEntry* a, const TensorEntry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < byOffset.size(); ++i)
    if (byOffset[i]->begin < byOffset[i - 1]->end)
      failFile(ErrorKind::Format, file, "tensors " + quoteForMessage(byOffset[i - 1]->name) + " and " + quoteForMessage(byOffset[i]->name) + " overlap");
  return entries;
}

const TensorEntry* findEntry(const std::vector<TensorEntry>& entries, const std::string& name) {
  for (const auto& e : entries)
    if (e.name == name) return &e;
  return nullptr;
}

std::string entryList(const std::vector<TensorEntry>& entries) {
  std::string list;
  for (size_t i = 0; i < entries.size() && i < 12; ++i) list += (i ? ", " : "") + entries[i].name;
  if (entries.size() > 12) list += ", ...";
  return list.empty() ? "none" : list;
}

class TensorReader {
 public:
  TensorReader(Source& source, const LoadOptions& options, uint64_t dataStart) : source_(source), options_(options), dataStart_(dataStart) {
    check_.allowNonFinite = options.allowNonFinite;
  }

  std::vector<Mat> read(const TensorEntry& e, TensorRole role, TensorDims& dims) {
    const std::string& file = source_.name();
    StoredFloat type;
    if (e.dtype == "F32") type = StoredFloat::F32;
    else if (e.dtype == "F16") type = StoredFloat::F16;
    else if (e.dtype == "BF16") type = StoredFloat::BF16;
    else if (e.dtype == "F64") type = StoredFloat::F64;
    else failFile(ErrorKind::Unsupported, file, "tensor " + quoteForMessage(e.name) + " has dtype " + e.dtype + "; need F32, F16, BF16 or F64");
    std::string shape = "[";
    for (size_t i = 0; i < e.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(e.shape[i]);
    dims = classifyTensorShape(e.shape, role, file + ": tensor " + quoteForMessage(e.name) + " of shape " + shape + "]");
    checkTensorCaps(dims, options_, file, 0);
    const uint64_t width = static_cast<uint64_t>(storedWidth(type));
    std::vector<Mat> blocks;
    for (int64_t b = 0; b < dims.blocks; ++b) {
      Mat m(dims.nKeep, dims.d);
      const uint64_t first = static_cast<uint64_t>(b) * static_cast<uint64_t>(dims.n) * static_cast<uint64_t>(dims.d);
      readFloats(source_, dataStart_ + e.begin + first * width, static_cast<uint64_t>(dims.nKeep) * static_cast<uint64_t>(dims.d), type, false, m.data(), check_);
      blocks.push_back(std::move(m));
    }
    if (dims.nKeep < dims.n) capped_ = true;
    return blocks;
  }
  void addWarnings(Sequence& seq, int64_t n) const {
    const std::string& file = source_.name();
    if (capped_) seq.warnings.push_back(file + ": kept the first " + std::to_string(options_.maxTokens) + " of " + std::to_string(n) + " positions (the position cap)");
    if (check_.nonFinite)
      seq.warnings.push_back(file + ": " + std::to_string(check_.nonFinite) + " non-finite values kept (first at byte " + std::to_string(check_.firstNonFiniteOffset) + ")");
  }

 private:
  Source& source_;
  const LoadOptions& options_;
  uint64_t dataStart_;
  FloatCheck check_;
  bool capped_ = false;
};

}  // namespace

Sequence loadSafetensors(Source& source, const LoadOptions& options) {
  const std::string& file = source.name();
  if (source.size() == 0) failFile(ErrorKind::Format, file, "file is empty");
  if (source.size() < 8) failAtByte(ErrorKind::Truncated, file, source.size(), "file ends inside the 8-byte header length");
  unsigned char lengthBytes[8];
  source.readAt(0, lengthBytes, 8);
  uint64_t headerLen = 0;
  for (int i = 0; i < 8; ++i) headerLen |= static_cast<uint64_t>(lengthBytes[i]) << (8 * i);
  if (headerLen > source.size() - 8)
    failAtByte(ErrorKind::Truncated, file, 0, "header claims " + std::to_string(headerLen) + " bytes but the file has only " + std::to_string(source.size() - 8) + " after the length");
  if (headerLen > kMaxHeaderBytes) failAtByte(ErrorKind::TooLarge, file, 0, "header of " + std::to_string(headerLen) + " bytes exceeds the format's limit of 100 MiB");
  if (headerLen < 2) failAtByte(ErrorKind::Format, file, 8, "header of " + std::to_string(headerLen) + " bytes cannot hold a JSON object");
  std::string header(static_cast<size_t>(headerLen), '\0');
  source.readAt(8, header.data(), header.size());
  if (header.front() != '{') failAtByte(ErrorKind::Format, file, 8, "header does not start with '{'");

  const uint64_t dataStart = 8 + headerLen;
  const std::vector<TensorEntry> entries = readEntries(parseHeader(header, file), file, source.size() - dataStart);
  if (entries.empty()) failFile(ErrorKind::Format, file, "holds no tensors");

  // Which tensors to read: the user's names, then q/k/v, then embeddings, then the only tensor.
  std::map<std::string, std::string> names = options.tensorNames;
  auto need = [&](const std::string& name) {
    const TensorEntry* e = findEntry(entries, name);
    if (!e) failFile(ErrorKind::InvalidArgument, file, "no tensor named " + quoteForMessage(name) + " (tensors: " + entryList(entries) + ")");
    return e;
  };
  if (names.empty()) {
    for (const auto& trio : {std::array<const char*, 3>{"q", "k", "v"}, {"query", "key", "value"}, {"Q", "K", "V"}})
      if (names.empty() && findEntry(entries, trio[0]) && findEntry(entries, trio[1]) && findEntry(entries, trio[2]))
        names = {{"q", trio[0]}, {"k", trio[1]}, {"v", trio[2]}};
    for (const char* e : {"embeddings", "hidden_states", "qkv"})
      if (names.empty() && findEntry(entries, e)) names = {{"embeddings", e}};
    if (names.empty() && entries.size() == 1) names = {{"embeddings", entries.front().name}};
    if (names.empty())
      failFile(ErrorKind::Format, file, "no tensors named q, k, v or embeddings (tensors: " + entryList(entries) + "); map them with --tensor q=NAME,k=NAME,v=NAME");
  }

  Sequence seq;
  seq.name = file.substr(file.find_last_of('/') + 1);
  seq.kind = SequenceKind::Tensor;
  TensorReader reader(source, options, dataStart);
  if (names.count("q")) {
    const TensorEntry* parts[3] = {need(names.at("q")), need(names.at("k")), need(names.at("v"))};
    TensorDims dims[3];
    std::vector<Mat> blocks[3];
    for (int r = 0; r < 3; ++r) blocks[r] = reader.read(*parts[r], TensorRole::Q, dims[r]);
    for (int r = 1; r < 3; ++r)
      if (dims[r].blocks != dims[0].blocks || dims[r].n != dims[0].n || (r == 1 && dims[r].d != dims[0].d))
        failFile(ErrorKind::Format, file, "tensor " + quoteForMessage(parts[r]->name) + " does not match " + quoteForMessage(parts[0]->name) +
                                              " (heads, positions" + (r == 1 ? ", width" : "") + " must agree)");
    seq.hasQkv = true;
    seq.qkv.q = std::move(blocks[0]);
    seq.qkv.k = std::move(blocks[1]);
    seq.qkv.v = std::move(blocks[2]);
    seq.qkv.origin = file + " (" + parts[0]->name + ", " + parts[1]->name + ", " + parts[2]->name + ")";
    reader.addWarnings(seq, dims[0].n);
    return seq;
  }
  const TensorEntry* e = need(names.at("embeddings"));
  TensorDims dims;
  std::vector<Mat> blocks = reader.read(*e, TensorRole::Auto, dims);
  reader.addWarnings(seq, dims.n);
  if (dims.kind == TensorDims::Kind::Embeddings) {
    seq.embeddings = std::move(blocks.front());
    return seq;
  }
  // A single stacked [3, H, n, d] tensor, or [H, n, d] used as Q, K and V.
  seq.hasQkv = true;
  seq.qkv.origin = file + " (" + e->name + ")";
  const int64_t heads = dims.kind == TensorDims::Kind::Stacked ? dims.blocks / 3 : dims.blocks;
  for (int64_t b = 0; b < dims.blocks; ++b) {
    if (dims.kind == TensorDims::Kind::Stacked) {
      auto& list = b < heads ? seq.qkv.q : b < 2 * heads ? seq.qkv.k : seq.qkv.v;
      list.push_back(std::move(blocks[b]));
    } else {
      seq.qkv.q.push_back(blocks[b]);
      seq.qkv.k.push_back(blocks[b]);
      seq.qkv.v.push_back(std::move(blocks[b]));
    }
  }
  if (dims.kind == TensorDims::Kind::Heads) seq.warnings.push_back(file + ": tensor " + quoteForMessage(e->name) + " used as Q, K and V");
  return seq;
}

}  // namespace attnscope
