// What the user loaded: tokens with labels, numeric embeddings, or ready Q/K/V.
#pragma once

#include <string>
#include <vector>

#include "common/types.hpp"

namespace attnscope {

enum class SequenceKind { Text, Dna, TimeSeries, Tensor };

const char* sequenceKindName(SequenceKind kind);

// H heads of Q, K, V, each [n x d] float32 row-major. V may be wider or
// narrower than Q/K (dv), which the spectrum's matrix-free operator relies on.
struct Qkv {
  std::vector<Mat> q, k, v;
  std::string origin;  // where the tensors came from, for the run record

  int heads() const { return static_cast<int>(q.size()); }
  int64_t n() const { return q.empty() ? 0 : q.front().rows(); }
  int64_t d() const { return q.empty() ? 0 : q.front().cols(); }
  int64_t dv() const { return v.empty() ? 0 : v.front().cols(); }
  // Keeps the first n positions of every head.
  void crop(int64_t n);
  // Throws Error(InvalidArgument) unless all heads agree in shape.
  void checkShapes() const;
};

struct Sequence {
  std::string name;
  SequenceKind kind = SequenceKind::Text;
  // One label per position (token text, k-mer, time step); used for
  // embeddings of raw tokens, for axis tooltips and for global_pattern.
  std::vector<std::string> labels;
  // Optional numeric features [n x d_model] (time series, model hidden states).
  Mat embeddings;
  // Optional ready-made Q/K/V (tensor inputs); the featurizer passes them through.
  Qkv qkv;
  bool hasQkv = false;
  std::vector<std::string> warnings;

  int64_t length() const;
  // Keeps the first n positions.
  void crop(int64_t n);
};

}  // namespace attnscope
