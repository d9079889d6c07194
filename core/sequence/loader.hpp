// One entry for every file a user brings: picks the format by content (magic
// bytes), then by extension, and returns a Sequence or a clear Error.
#pragma once

#include <cstdint>
#include <string>

#include "sequence/sequence.hpp"

namespace attnscope {

struct LoadOptions {
  int64_t maxTokens = 1 << 22;  // cap on positions read from any file
  bool allowNonFinite = false;  // NaN/Inf in numeric inputs: refused unless set
};

Sequence loadSequenceFile(const std::string& path, const LoadOptions& options = {});

// A float32 .npy of shape [3, H, n, d] (q, k, v) as Q/K/V.
Qkv loadQkvNpy(const std::string& path, const LoadOptions& options = {});

}  // namespace attnscope
