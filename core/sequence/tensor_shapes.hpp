// How a tensor's shape maps onto Q/K/V heads or embeddings, shared by the
// .npy and .safetensors loaders, and the caps checked before any allocation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sequence/loader.hpp"

namespace attnscope {

struct TensorDims {
  enum class Kind { Stacked, Heads, Embeddings } kind = Kind::Embeddings;
  int64_t blocks = 1;  // [n, d] matrices stored one after another (3H, H or 1)
  int64_t n = 0, d = 0;
  int64_t nKeep = 0;  // positions kept under the cap
};

constexpr int64_t kMaxHeads = 4096;
constexpr int64_t kMaxWidth = 65536;

// Stacked: [3, H, n, d] (role auto only). Heads: [H, n, d] or [n, d].
// Embeddings: [n, d_model]. Leading 1s are dropped first. Throws
// Error(Format) prefixed with `context` when the shape fits none.
TensorDims classifyTensorShape(const std::vector<int64_t>& shape, TensorRole role, const std::string& context);

// Throws Error(TooLarge) when the heads, width or float32 bytes (the kept
// rows plus `scratchElements` of working space) pass the caps.
void checkTensorCaps(TensorDims& dims, const LoadOptions& options, const std::string& file, uint64_t scratchElements);

}  // namespace attnscope
