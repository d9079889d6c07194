#include "sequence/tensor_shapes.hpp"

#include <algorithm>

#include "common/parse.hpp"
#include "sequence/load_errors.hpp"

namespace attnscope {

TensorDims classifyTensorShape(const std::vector<int64_t>& shapeIn, TensorRole role, const std::string& context) {
  std::vector<int64_t> shape = shapeIn;
  const size_t keepRank = role == TensorRole::Auto || role == TensorRole::Embeddings ? 2 : 3;
  while (shape.size() > keepRank && shape.front() == 1) shape.erase(shape.begin());
  TensorDims t;
  if (role == TensorRole::Auto && shape.size() == 4 && shape[0] == 3) {
    t.kind = TensorDims::Kind::Stacked;
    t.blocks = 3 * shape[1];
  } else if (shape.size() == 3 && role != TensorRole::Embeddings) {
    t.kind = TensorDims::Kind::Heads;
    t.blocks = shape[0];
  } else if (shape.size() == 2 && (role == TensorRole::Auto || role == TensorRole::Embeddings)) {
    t.kind = TensorDims::Kind::Embeddings;
  } else if (shape.size() == 2) {
    t.kind = TensorDims::Kind::Heads;
  } else {
    const char* want = role == TensorRole::Auto         ? "[3, H, n, d] (q, k, v), [H, n, d] or [n, d_model]"
                       : role == TensorRole::Embeddings ? "[n, d_model]"
                                                        : "[H, n, d] or [n, d]";
    throw Error(ErrorKind::Format, context + " is not " + want);
  }
  t.n = shape[shape.size() - 2];
  t.d = shape.back();
  if (t.blocks < 1 || t.n < 1 || t.d < 1) throw Error(ErrorKind::Format, context + " has a zero dimension");
  return t;
}

void checkTensorCaps(TensorDims& t, const LoadOptions& options, const std::string& file, uint64_t scratchElements) {
  const int64_t heads = t.kind == TensorDims::Kind::Stacked ? t.blocks / 3 : t.blocks;
  if (heads > kMaxHeads) failFile(ErrorKind::TooLarge, file, std::to_string(heads) + " heads exceeds the limit of " + std::to_string(kMaxHeads));
  if (t.d > kMaxWidth) failFile(ErrorKind::TooLarge, file, "width " + std::to_string(t.d) + " exceeds the limit of " + std::to_string(kMaxWidth));
  if (options.maxTokens < 1) failFile(ErrorKind::InvalidArgument, file, "position cap must be at least 1");
  t.nKeep = std::min<int64_t>(t.n, options.maxTokens);
  const unsigned __int128 bytes = (static_cast<unsigned __int128>(t.blocks) * static_cast<uint64_t>(t.nKeep) * static_cast<uint64_t>(t.d) + 2u * scratchElements) * 4u;
  if (options.maxBytes && bytes > options.maxBytes)
    failFile(ErrorKind::TooLarge, file, "loading needs " + formatBytes(static_cast<double>(bytes)) + ", more than the cap of " + formatBytes(static_cast<double>(options.maxBytes)));
}

}  // namespace attnscope
