#include "sequence/loader.hpp"

#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "sequence/npy.hpp"
#include "sequence/text_tokenizer.hpp"

namespace attnscope {

namespace {

std::string readFile(const std::string& path, uint64_t cap) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, path + ": cannot open file");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  if (cap && size > cap) throw Error(ErrorKind::TooLarge, path + ": file of " + std::to_string(size) + " bytes exceeds the cap of " + std::to_string(cap));
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in) throw Error(ErrorKind::Io, path + ": read failed");
  return bytes;
}

Qkv qkvFromArray(const NpyArray& a, const std::string& path) {
  if (a.shape.size() != 4 || a.shape[0] != 3)
    throw Error(ErrorKind::Format, path + ": expected shape [3, H, n, d] (q, k, v), got rank " + std::to_string(a.shape.size()));
  const int64_t heads = a.shape[1], n = a.shape[2], d = a.shape[3];
  if (heads < 1 || n < 1 || d < 1) throw Error(ErrorKind::Format, path + ": shape [3, H, n, d] has a zero dimension");
  if (heads > 4096) throw Error(ErrorKind::TooLarge, path + ": " + std::to_string(heads) + " heads exceeds the limit of 4096");
  Qkv qkv;
  qkv.origin = path;
  const float* p = a.data.data();
  for (int role = 0; role < 3; ++role) {
    auto& list = role == 0 ? qkv.q : role == 1 ? qkv.k : qkv.v;
    for (int64_t h = 0; h < heads; ++h, p += n * d) list.push_back(ConstMatMap(p, n, d));
  }
  return qkv;
}

}  // namespace

Qkv loadQkvNpy(const std::string& path, const LoadOptions& options) {
  NpyReadOptions o;
  o.allowNonFinite = options.allowNonFinite;
  return qkvFromArray(readNpy(path, o), path);
}

Sequence loadSequenceFile(const std::string& path, const LoadOptions& options) {
  const std::string bytes = readFile(path, 0);
  if (bytes.empty()) throw Error(ErrorKind::Format, path + ": file is empty");
  Sequence seq;
  seq.name = path.substr(path.find_last_of('/') + 1);
  if (bytes.rfind("\x93NUMPY", 0) == 0) {
    NpyReadOptions o;
    o.allowNonFinite = options.allowNonFinite;
    NpyArray a = parseNpy(bytes, path, o);
    if (a.shape.size() == 4) {
      seq.kind = SequenceKind::Tensor;
      seq.qkv = qkvFromArray(a, path);
      seq.hasQkv = true;
    } else if (a.shape.size() == 2) {
      seq.kind = SequenceKind::Tensor;
      seq.embeddings = ConstMatMap(a.data.data(), a.shape[0], a.shape[1]);
    } else {
      throw Error(ErrorKind::Format, path + ": .npy of rank " + std::to_string(a.shape.size()) + " is neither [3, H, n, d] nor [n, d_model]");
    }
    return seq;
  }
  if (bytes.find('\0') != std::string::npos) throw Error(ErrorKind::Format, path + ": binary data where text was expected (NUL byte at offset " + std::to_string(bytes.find('\0')) + ")");
  std::string_view text(bytes);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);
  seq.kind = SequenceKind::Text;
  seq.labels = tokenizeText(text, static_cast<size_t>(options.maxTokens));
  if (seq.labels.empty()) throw Error(ErrorKind::Format, path + ": no tokens in the file");
  return seq;
}

}  // namespace attnscope
