#include "featurize/featurizer.hpp"

#include <cmath>

#include "common/error.hpp"
#include "common/rng.hpp"

namespace attnscope {

const char* positionsName(Positions p) {
  switch (p) {
    case Positions::None: return "none";
    case Positions::Sinusoidal: return "sinusoidal";
    case Positions::Rope: return "rope";
  }
  return "none";
}

Positions parsePositions(const std::string& text) {
  if (text == "none") return Positions::None;
  if (text == "sinusoidal") return Positions::Sinusoidal;
  if (text == "rope") return Positions::Rope;
  throw Error(ErrorKind::InvalidArgument, "positions must be none, sinusoidal or rope, got '" + text + "'");
}

Mat embedTokens(const std::vector<std::string>& labels, int dModel, uint64_t seed, const CancelToken* cancel) {
  Mat e(static_cast<Eigen::Index>(labels.size()), dModel);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i % 4096 == 0) checkCancelled(cancel);
    Rng rng(hashString(labels[i], seed));
    for (int c = 0; c < dModel; ++c) e(static_cast<Eigen::Index>(i), c) = static_cast<float>(rng.normal());
  }
  return e;
}

namespace {

void addSinusoidal(Mat& x) {
  const Eigen::Index width = x.cols();
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index c = 0; c + 1 < width; c += 2) {
      const double freq = std::pow(10000.0, -static_cast<double>(c) / static_cast<double>(width));
      x(i, c) += static_cast<float>(std::sin(static_cast<double>(i) * freq));
      x(i, c + 1) += static_cast<float>(std::cos(static_cast<double>(i) * freq));
    }
}

Mat projection(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  Mat w(rows, cols);
  const double scale = 1.0 / std::sqrt(static_cast<double>(rows));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) w(r, c) = static_cast<float>(rng.normal() * scale);
  return w;
}

}  // namespace

void applyRope(MatRef x) {
  const Eigen::Index width = x.cols();
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index c = 0; c + 1 < width; c += 2) {
      const double theta = static_cast<double>(i) * std::pow(10000.0, -static_cast<double>(c) / static_cast<double>(width));
      const float cs = static_cast<float>(std::cos(theta)), sn = static_cast<float>(std::sin(theta));
      const float a = x(i, c), b = x(i, c + 1);
      x(i, c) = a * cs - b * sn;
      x(i, c + 1) = a * sn + b * cs;
    }
}

Qkv featurize(const Sequence& seq, const FeaturizeOptions& o, const CancelToken* cancel) {
  if (seq.hasQkv) {
    Qkv out = seq.qkv;
    out.checkShapes();
    return out;
  }
  if (o.heads < 1 || o.heads > 256)
    throw Error(ErrorKind::InvalidArgument, "heads must be in [1, 256], got " + std::to_string(o.heads));
  if (o.d < 1 || o.d > 1024)
    throw Error(ErrorKind::InvalidArgument, "d must be in [1, 1024], got " + std::to_string(o.d));
  const int dModel = o.dModel > 0 ? o.dModel : 2 * o.d;
  if (dModel > 8192) throw Error(ErrorKind::InvalidArgument, "d_model must be at most 8192, got " + std::to_string(dModel));
  const int64_t n = seq.length();
  if (n < 1) throw Error(ErrorKind::InvalidArgument, "sequence '" + seq.name + "' is empty");

  Mat x;
  if (seq.embeddings.rows() > 0) {
    // Numeric features are lifted to dModel by a fixed seeded projection.
    x = seq.embeddings * projection(static_cast<int>(seq.embeddings.cols()), dModel, o.seed ^ 0xfeedull);
  } else {
    x = embedTokens(seq.labels, dModel, o.seed, cancel);
  }
  if (o.positions == Positions::Sinusoidal) addSinusoidal(x);

  Qkv out;
  out.origin = "featurized '" + seq.name + "' (" + positionsName(o.positions) + (o.tiedQK ? ", tied Q/K" : ", untied Q/K") +
               ", seed " + std::to_string(o.seed) + ")";
  for (int h = 0; h < o.heads; ++h) {
    checkCancelled(cancel);
    const uint64_t base = splitmix64(o.seed * 1000003ull + static_cast<uint64_t>(h));
    const Mat wq = projection(dModel, o.d, base ^ 0x1ull);
    Mat q = x * wq;
    Mat k = o.tiedQK ? q : Mat(x * projection(dModel, o.d, base ^ 0x2ull));
    Mat v = x * projection(dModel, o.d, base ^ 0x3ull);
    if (o.positions == Positions::Rope) {
      applyRope(q);
      applyRope(k);
    }
    out.q.push_back(std::move(q));
    out.k.push_back(std::move(k));
    out.v.push_back(std::move(v));
  }
  return out;
}

}  // namespace attnscope
