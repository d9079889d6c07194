// .npy as a Sequence: [3, H, n, d] holds Q, K and V; [H, n, d] (or [n, d])
// is one of them with a role, its partners read from sibling files
// (attn_q.npy -> attn_k.npy, attn_v.npy); [n, d_model] is embeddings.
// Leading dimensions of size 1 (a batch of one) are dropped.
#include <array>
#include <filesystem>
#include <optional>

#include "common/parse.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/loader.hpp"
#include "sequence/npy.hpp"
#include "sequence/source.hpp"
#include "sequence/tensor_shapes.hpp"

namespace attnscope {

namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Reads `blocks` consecutive [n, d] matrices, keeping the first nKeep rows.
std::vector<Mat> readBlocks(Source& source, const NpyHeader& h, int64_t blocks, int64_t n, int64_t d, int64_t nKeep, FloatCheck& check) {
  std::vector<Mat> out;
  std::vector<float> cOrder;
  if (h.fortranOrder) {
    std::vector<float> raw(static_cast<size_t>(h.count));
    readNpyElements(source, h, 0, h.count, raw.data(), check);
    cOrder = fortranToC(raw, h.shape);
  }
  for (int64_t b = 0; b < blocks; ++b) {
    Mat m(nKeep, d);
    const uint64_t first = static_cast<uint64_t>(b) * static_cast<uint64_t>(n) * static_cast<uint64_t>(d);
    const uint64_t count = static_cast<uint64_t>(nKeep) * static_cast<uint64_t>(d);
    if (h.fortranOrder) std::copy(cOrder.begin() + static_cast<std::ptrdiff_t>(first), cOrder.begin() + static_cast<std::ptrdiff_t>(first + count), m.data());
    else readNpyElements(source, h, first, count, m.data(), check);
    out.push_back(std::move(m));
  }
  return out;
}

struct Loaded {
  std::vector<Mat> blocks;
  TensorDims dims;
  std::vector<std::string> warnings;
};

// One array as `heads` blocks of [n, d], under the caps.
Loaded readArray(Source& source, const LoadOptions& options, TensorRole role) {
  const std::string& file = source.name();
  const NpyHeader h = readNpyHeader(source);
  Loaded out;
  const std::string why = "shape " + shapeText(h.shape) + (h.fortranOrder ? " (Fortran order)" : "");
  out.dims = classifyTensorShape(h.shape, role, file + ": " + why);
  checkTensorCaps(out.dims, options, file, h.fortranOrder ? h.count : 0);
  FloatCheck check;
  check.allowNonFinite = options.allowNonFinite;
  out.blocks = readBlocks(source, h, out.dims.blocks, out.dims.n, out.dims.d, out.dims.nKeep, check);
  if (out.dims.nKeep < out.dims.n)
    out.warnings.push_back(file + ": kept the first " + std::to_string(out.dims.nKeep) + " of " + std::to_string(out.dims.n) + " positions (the position cap)");
  if (check.nonFinite)
    out.warnings.push_back(file + ": " + std::to_string(check.nonFinite) + " non-finite values kept (first at byte " + std::to_string(check.firstNonFiniteOffset) + ")");
  return out;
}

// "attn_q.npy" -> {"attn_q.npy", "attn_k.npy", "attn_v.npy"} and the role of
// the given file; nothing when the name has no q/k/v or query/key/value part.
std::optional<std::pair<std::array<std::string, 3>, int>> siblingPaths(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = path.substr(dir.size());
  static const std::array<std::array<const char*, 3>, 4> styles = {{{"query", "key", "value"}, {"q", "k", "v"}, {"Q", "K", "V"}, {"Query", "Key", "Value"}}};
  auto isWordChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (const auto& style : styles)
    for (int role = 0; role < 3; ++role) {
      const std::string token = style[role];
      for (size_t at = base.rfind(token); at != std::string::npos; at = at == 0 ? std::string::npos : base.rfind(token, at - 1)) {
        const bool left = at == 0 || !isWordChar(base[at - 1]);
        const bool right = at + token.size() >= base.size() || !isWordChar(base[at + token.size()]);
        if (!left || !right) continue;
        std::array<std::string, 3> paths;
        for (int r = 0; r < 3; ++r) paths[r] = dir + base.substr(0, at) + style[r] + base.substr(at + token.size());
        return std::make_pair(paths, role);
      }
    }
  return std::nullopt;
}

Sequence pairedQkv(Source& source, const LoadOptions& options, const std::array<std::string, 3>& paths, int ownRole) {
  Sequence seq;
  seq.kind = SequenceKind::Tensor;
  seq.hasQkv = true;
  std::array<Loaded, 3> parts;
  for (int r = 0; r < 3; ++r) {
    if (r == ownRole) {
      parts[r] = readArray(source, options, TensorRole::Q);
    } else {
      std::unique_ptr<Source> other;
      try {
        other = openFileSource(paths[r]);
      } catch (const Error& e) {
        failFile(ErrorKind::Io, source.name(), std::string("role ") + "qkv"[ownRole] + " needs its partner " + paths[r] + " (" + e.what() + ")");
      }
      parts[r] = readArray(*other, options, TensorRole::Q);
    }
    seq.warnings.insert(seq.warnings.end(), parts[r].warnings.begin(), parts[r].warnings.end());
  }
  const TensorDims& q = parts[0].dims;
  for (int r = 1; r < 3; ++r) {
    const TensorDims& o = parts[r].dims;
    if (o.blocks != q.blocks || o.n != q.n || (r == 1 && o.d != q.d))
      failFile(ErrorKind::Format, paths[r], std::string("shape does not match ") + paths[0] + " (heads, positions" + (r == 1 ? ", width" : "") + " must agree)");
  }
  seq.qkv.q = std::move(parts[0].blocks);
  seq.qkv.k = std::move(parts[1].blocks);
  seq.qkv.v = std::move(parts[2].blocks);
  seq.qkv.origin = paths[0] + ", " + paths[1] + ", " + paths[2];
  return seq;
}

}  // namespace

Sequence loadNpy(Source& source, const LoadOptions& options) {
  const std::string& file = source.name();
  TensorRole role = options.role;
  if (role == TensorRole::Q || role == TensorRole::K || role == TensorRole::V) {
    const auto siblings = siblingPaths(file);
    if (!siblings)
      failFile(ErrorKind::InvalidArgument, file, "a role of q, k or v needs partner files named alike (e.g. attn_q.npy, attn_k.npy, attn_v.npy)");
    const int own = role == TensorRole::Q ? 0 : role == TensorRole::K ? 1 : 2;
    auto paths = siblings->first;
    paths[own] = file;
    Sequence seq = pairedQkv(source, options, paths, own);
    seq.name = file.substr(file.find_last_of('/') + 1);
    return seq;
  }
  if (role == TensorRole::Auto) {
    // Peek at the rank: a single [H, n, d] array whose name says q, k or v is paired with its siblings.
    const NpyHeader h = readNpyHeader(source);
    if (classifyTensorShape(h.shape, TensorRole::Auto, file).kind == TensorDims::Kind::Heads) {
      if (const auto siblings = siblingPaths(file)) {
        std::error_code ec;
        const auto& p = siblings->first;
        const int own = siblings->second;
        if (std::filesystem::is_regular_file(p[(own + 1) % 3], ec) && std::filesystem::is_regular_file(p[(own + 2) % 3], ec)) {
          Sequence seq = pairedQkv(source, options, p, own);
          seq.name = file.substr(file.find_last_of('/') + 1);
          seq.warnings.push_back(file + ": read as " + std::string(1, "qkv"[own]) + " with partners " + p[(own + 1) % 3] + " and " + p[(own + 2) % 3]);
          return seq;
        }
      }
    }
  }
  Loaded a = readArray(source, options, role);
  Sequence seq;
  seq.name = file.substr(file.find_last_of('/') + 1);
  seq.kind = SequenceKind::Tensor;
  seq.warnings = std::move(a.warnings);
  if (a.dims.kind == TensorDims::Kind::Embeddings) {
    seq.embeddings = std::move(a.blocks.front());
    return seq;
  }
  seq.hasQkv = true;
  seq.qkv.origin = file;
  const int64_t heads = a.dims.kind == TensorDims::Kind::Stacked ? a.dims.blocks / 3 : a.dims.blocks;
  for (int64_t b = 0; b < a.dims.blocks; ++b) {
    const auto role3 = a.dims.kind == TensorDims::Kind::Stacked ? b / heads : -1;
    if (role3 == 0) seq.qkv.q.push_back(std::move(a.blocks[b]));
    else if (role3 == 1) seq.qkv.k.push_back(std::move(a.blocks[b]));
    else if (role3 == 2) seq.qkv.v.push_back(std::move(a.blocks[b]));
    else {
      seq.qkv.q.push_back(a.blocks[b]);
      seq.qkv.k.push_back(a.blocks[b]);
      seq.qkv.v.push_back(std::move(a.blocks[b]));
    }
  }
  if (a.dims.kind == TensorDims::Kind::Heads && role == TensorRole::Auto)
    seq.warnings.push_back(file + ": one [H, n, d] array used as Q, K and V (give --role q|k|v with partner files to pair them)");
  return seq;
}

}  // namespace attnscope
