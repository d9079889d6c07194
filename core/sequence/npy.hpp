// NumPy .npy arrays: reading (converted to float32) and writing float32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // C order, converted to float32
  int64_t count() const;
};

struct NpyReadOptions {
  bool allowNonFinite = false;  // refuse NaN/Inf unless asked
  uint64_t maxBytes = 0;        // 0: no cap beyond the file's real size
};

// Throws attnscope::Error naming the file, the byte offset and the problem.
NpyArray readNpy(const std::string& path, const NpyReadOptions& options = {});
NpyArray parseNpy(const std::string& bytes, const std::string& nameForErrors, const NpyReadOptions& options = {});
void writeNpy(const std::string& path, const float* data, const std::vector<int64_t>& shape);

}  // namespace attnscope
