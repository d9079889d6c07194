// performer: FAVOR+ positive (orthogonal) random features (DESIGN §3).
// phi(x) = exp(W x' - |x'|^2 / 2) / sqrt(m), x' = x d^(-1/4), and
// A = D^-1 phi(Q) phi(K)^T with D normalising rows; causal by prefix sums.
// The constant 1/sqrt(m) cancels in D^-1 and is left out. Stabilisers: one
// shared constant (the global max logit) for all keys and a per-row max for
// each query; both cancel in D^-1, so A is unchanged.
#include "attention/variants/performer.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "attention/registry.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/rng.hpp"

namespace attnscope {

namespace {

class PerformerVariant final : public Variant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "performer";
      v.title = "Performer (FAVOR+ random features)";
      v.family = "low-rank";
      v.complexity = "O(n m d)";
      v.memoryComplexity = "O(m d)";
      v.useWhen = "very long inputs, causal or not, where an unbiased approximation of softmax is enough";
      v.loses = "exactness: a random-feature estimate of rank <= m whose error shrinks only like 1/sqrt(m)";
      v.params = {intParam("features", 256, 1, 16384, "number of random features m (rank of the attention map)", "features"),
                  boolParam("orthogonal", true, "orthogonalise the features in blocks of d (lower variance)"),
                  intParam("seed", 0, 0, 2147483647, "seed of the random features (a new seed redraws them)")};
      v.supportsCausal = true;
      v.maskBased = false;
      v.displayOrder = 6;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const double n = static_cast<double>(s.n), m = static_cast<double>(spec.params.getInt("features"));
    const double d = static_cast<double>(s.d), dv = static_cast<double>(s.dv), heads = static_cast<double>(s.heads);
    const double c = kPerformerCausalChunk;
    CostEstimate e;
    e.pairs = heads * n * m;
    // Useful work: the features phi(Q) and phi(K). (A kernel that recomputes
    // key logits for its stabiliser, as the CPU one does beyond 16 MiB of
    // logits, does more than this.)
    const double featureFlops = 2.0 * 2.0 * n * m * d;
    const double mixFlops = s.causal ? 4.0 * n * m * (dv + 1) + 2.0 * n * c * (m + dv) : 4.0 * n * m * (dv + 1);
    e.flops = heads * (featureFlops + mixFlops);
    e.bytesRead = 4.0 * heads * n * (2.0 * d + dv);
    e.bytesWritten = 4.0 * heads * n * dv;
    e.workspaceBytes = performerWorkspaceBytes(spec, s);
    return e;
  }
};

const RegisterVariant<PerformerVariant> registration;

}  // namespace

Mat performerFeatureMatrix(const AttentionSpec& spec, int64_t d) {
  const int64_t m = spec.params.getInt("features");
  const bool orthogonal = spec.params.getBool("orthogonal");
  Rng rng(splitmix64(static_cast<uint64_t>(spec.params.getInt("seed")) ^ 0x50E7F0A3ull));
  Mat w(m, d);
  if (!orthogonal) {
    for (int64_t r = 0; r < m; ++r)
      for (int64_t c = 0; c < d; ++c) w(r, c) = static_cast<float>(rng.normal());
    return w;
  }
  using MatD = Eigen::MatrixXd;
  for (int64_t r0 = 0; r0 < m; r0 += d) {
    MatD g(d, d);
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < d; ++j) g(i, j) = rng.normal();
    const Eigen::HouseholderQR<MatD> qr(g);
    const MatD basis = qr.householderQ();
    for (int64_t r = 0; r < std::min(d, m - r0); ++r) {
      double norm2 = 0;  // chi(d): the norm of a fresh Gaussian vector
      for (int64_t j = 0; j < d; ++j) {
        const double z = rng.normal();
        norm2 += z * z;
      }
      w.row(r0 + r) = (basis.col(r).transpose() * std::sqrt(norm2)).cast<float>();
    }
  }
  return w;
}

std::shared_ptr<const Mat> performerScaledFeatures(const AttentionSpec& spec, int64_t d) {
  using Key = std::tuple<int64_t, int64_t, int64_t, bool>;
  static std::mutex mutex;
  static std::vector<std::pair<Key, std::shared_ptr<const Mat>>> entries;  // least recently used first
  constexpr size_t kEntries = 16;
  constexpr int64_t kMaxCachedFloats = int64_t{1} << 20;
  const Key key{spec.params.getInt("seed"), spec.params.getInt("features"), d, spec.params.getBool("orthogonal")};
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = entries.begin(); it != entries.end(); ++it)
    if (it->first == key) {
      auto hit = *it;
      entries.erase(it);
      entries.push_back(hit);
      return hit.second;
    }
  auto w = std::make_shared<Mat>(performerFeatureMatrix(spec, d) * std::pow(static_cast<float>(d), -0.25f));
  if (w->size() > kMaxCachedFloats) return w;
  if (entries.size() >= kEntries) entries.erase(entries.begin());
  entries.emplace_back(key, w);
  return w;
}

}  // namespace attnscope
