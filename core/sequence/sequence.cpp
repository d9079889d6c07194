#include "sequence/sequence.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace attnscope {

const char* sequenceKindName(SequenceKind kind) {
  switch (kind) {
    case SequenceKind::Text: return "text";
    case SequenceKind::Dna: return "dna";
    case SequenceKind::TimeSeries: return "timeseries";
    case SequenceKind::Tensor: return "tensor";
  }
  return "text";
}

void Qkv::crop(int64_t n) {
  for (auto* list : {&q, &k, &v})
    for (Mat& m : *list)
      if (m.rows() > n) m.conservativeResize(n, Eigen::NoChange);
}

void Qkv::checkShapes() const {
  if (q.empty()) throw Error(ErrorKind::InvalidArgument, "Q/K/V has no heads");
  if (k.size() != q.size() || v.size() != q.size())
    throw Error(ErrorKind::InvalidArgument, "Q, K and V have different head counts");
  for (size_t h = 0; h < q.size(); ++h) {
    if (q[h].rows() != n() || k[h].rows() != n() || v[h].rows() != n())
      throw Error(ErrorKind::InvalidArgument, "Q, K and V disagree on sequence length in head " + std::to_string(h));
    if (q[h].cols() != d() || k[h].cols() != d())
      throw Error(ErrorKind::InvalidArgument, "Q and K disagree on head width in head " + std::to_string(h));
    if (v[h].cols() != dv())
      throw Error(ErrorKind::InvalidArgument, "V heads disagree on width in head " + std::to_string(h));
  }
}

int64_t Sequence::length() const {
  if (hasQkv) return qkv.n();
  if (embeddings.rows() > 0) return embeddings.rows();
  return static_cast<int64_t>(labels.size());
}

void Sequence::crop(int64_t n) {
  if (static_cast<int64_t>(labels.size()) > n) labels.resize(static_cast<size_t>(n));
  if (embeddings.rows() > n) embeddings.conservativeResize(n, Eigen::NoChange);
  if (hasQkv) qkv.crop(n);
}

}  // namespace attnscope
