#include "featurize/featurizer.hpp"

#include <cmath>
#include <vector>

#include "backend/cpu/gemm.hpp"
#include "backend/cpu/thread_pool.hpp"
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

namespace {

// Rows per task of the per-token loops below: each row depends only on its
// own index, so the result does not depend on the number of workers (at
// 1,048,576 tokens these loops, serial, took a fifth of a whole run).
constexpr int64_t kRowsPerTask = 4096;

template <typename Fn>
void forRowBlocks(int64_t rows, const CancelToken* cancel, Fn&& fn) {
  ThreadPool::shared().parallelFor(0, (rows + kRowsPerTask - 1) / kRowsPerTask, [&](int64_t b, int) {
    checkCancelled(cancel);
    const int64_t r0 = b * kRowsPerTask;
    fn(r0, std::min(rows, r0 + kRowsPerTask));
  });
}

// 10000^(-c / width) for the even columns c.
std::vector<double> positionFrequencies(Eigen::Index width) {
  std::vector<double> f;
  for (Eigen::Index c = 0; c + 1 < width; c += 2) f.push_back(std::pow(10000.0, -static_cast<double>(c) / static_cast<double>(width)));
  return f;
}

}  // namespace

Mat embedTokens(const std::vector<std::string>& labels, int dModel, uint64_t seed, const CancelToken* cancel) {
  Mat e(static_cast<Eigen::Index>(labels.size()), dModel);
  forRowBlocks(static_cast<int64_t>(labels.size()), cancel, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      Rng rng(hashString(labels[static_cast<size_t>(i)], seed));
      for (int c = 0; c < dModel; ++c) e(static_cast<Eigen::Index>(i), c) = static_cast<float>(rng.normal());
    }
  });
  return e;
}

namespace {

void addSinusoidal(Mat& x, const CancelToken* cancel) {
  const std::vector<double> freq = positionFrequencies(x.cols());
  forRowBlocks(x.rows(), cancel, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      for (size_t f = 0; f < freq.size(); ++f) {
        const Eigen::Index c = static_cast<Eigen::Index>(2 * f);
        x(i, c) += static_cast<float>(std::sin(static_cast<double>(i) * freq[f]));
        x(i, c + 1) += static_cast<float>(std::cos(static_cast<double>(i) * freq[f]));
      }
  });
}

// x w on the CPU kernels' GEMM (all workers, the ISA chosen at start-up).
Mat product(const Mat& x, const Mat& w) {
  Mat out(x.rows(), w.cols());
  sgemm(x, w, out);
  return out;
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
  const std::vector<double> freq = positionFrequencies(x.cols());
  forRowBlocks(x.rows(), nullptr, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      for (size_t f = 0; f < freq.size(); ++f) {
        const Eigen::Index c = static_cast<Eigen::Index>(2 * f);
        const double theta = static_cast<double>(i) * freq[f];
        const float cs = static_cast<float>(std::cos(theta)), sn = static_cast<float>(std::sin(theta));
        const float a = x(i, c), b = x(i, c + 1);
        x(i, c) = a * cs - b * sn;
        x(i, c + 1) = a * sn + b * cs;
      }
  });
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
    x = product(seq.embeddings, projection(static_cast<int>(seq.embeddings.cols()), dModel, o.seed ^ 0xfeedull));
  } else {
    x = embedTokens(seq.labels, dModel, o.seed, cancel);
  }
  if (o.positions == Positions::Sinusoidal) addSinusoidal(x, cancel);

  Qkv out;
  out.origin = "featurized '" + seq.name + "' (" + positionsName(o.positions) + (o.tiedQK ? ", tied Q/K" : ", untied Q/K") +
               ", seed " + std::to_string(o.seed) + ")";
  for (int h = 0; h < o.heads; ++h) {
    checkCancelled(cancel);
    const uint64_t base = splitmix64(o.seed * 1000003ull + static_cast<uint64_t>(h));
    const Mat wq = projection(dModel, o.d, base ^ 0x1ull);
    Mat q = product(x, wq);
    Mat k = o.tiedQK ? q : product(x, projection(dModel, o.d, base ^ 0x2ull));
    Mat v = product(x, projection(dModel, o.d, base ^ 0x3ull));
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
