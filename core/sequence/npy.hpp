// NumPy .npy arrays: header parsing (versions 1.0, 2.0, 3.0), reading
// (float16/32/64, either byte order, C or Fortran order, converted to
// float32 in C order) and writing float32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sequence/float_reader.hpp"

namespace attnscope {

class Source;

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // C order, converted to float32
  int64_t count() const;
};

struct NpyReadOptions {
  bool allowNonFinite = false;  // refuse NaN/Inf unless asked
  uint64_t maxBytes = 0;        // 0: no cap beyond the file's real size
};

struct NpyHeader {
  int version = 1;
  std::string descr;
  StoredFloat type = StoredFloat::F32;
  bool bigEndian = false;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  uint64_t count = 1;       // product of the shape (checked against overflow)
  uint64_t dataOffset = 0;  // where the elements start
};

// Parses and checks the header: magic, version, length, dict, dtype, shape,
// and that the file really holds count elements. Throws Error naming the
// byte offset and the problem; allocates nothing the file does not back.
NpyHeader readNpyHeader(Source& source);

// Elements [first, first + count) in storage order, converted to float32.
void readNpyElements(Source& source, const NpyHeader& header, uint64_t first, uint64_t count, float* dst, FloatCheck& check);

// Throws attnscope::Error naming the file, the byte offset and the problem.
NpyArray readNpy(const std::string& path, const NpyReadOptions& options = {});
NpyArray parseNpy(const std::string& bytes, const std::string& nameForErrors, const NpyReadOptions& options = {});
NpyArray readNpyArray(Source& source, const NpyReadOptions& options);
void writeNpy(const std::string& path, const float* data, const std::vector<int64_t>& shape);

// Fortran (column-major) data of the given shape reordered to C order.
std::vector<float> fortranToC(const std::vector<float>& data, const std::vector<int64_t>& shape);

}  // namespace attnscope
