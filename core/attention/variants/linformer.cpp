// linformer: A = softmax(s Q (E K)^T) F with E, F in R^{k x n} (DESIGN §3).
// The n x n operator has rank <= k and is only ever formed tile by tile for the
// map; the forward pass costs O(n k d).
#include "attention/variants/linformer.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "common/rng.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr int64_t kQueryBlock = 64;   // query rows scored together
constexpr int64_t kRowBlock = 16;     // projection rows generated together
constexpr int64_t kTokenChunk = 512;  // tokens per generated projection block
constexpr int64_t kMapStripeFloats = int64_t{1} << 20;  // P rows held at once by map()

struct Projection {
  int64_t n = 0, k = 0;
  bool meanPool = false;
  bool shared = false;
  uint64_t seed = 0;

  // Key of the counter-based stream for row r of E or F.
  uint64_t rowKey(bool valueSide, int64_t r) const {
    const uint64_t side = (valueSide && !shared) ? 0xF0F0F0F0F0F0F0F0ull : 0x0E0E0E0E0E0E0E0Eull;
    return splitmix64(splitmix64(seed ^ side) + static_cast<uint64_t>(r));
  }
  int64_t poolBegin(int64_t r) const { return r * n / k; }

  // Block [r0, r0 + rows) x [j0, j0 + cols) of E or F into dst (row-major, stride cols).
  void fill(bool valueSide, int64_t r0, int64_t rows, int64_t j0, int64_t cols, float* dst) const {
    const float sigma = 1.0f / std::sqrt(static_cast<float>(k));
    for (int64_t r = 0; r < rows; ++r) {
      float* row = dst + r * cols;
      if (meanPool) {
        const int64_t b = poolBegin(r0 + r), e = poolBegin(r0 + r + 1);
        const float w = 1.0f / static_cast<float>(e - b);
        for (int64_t c = 0; c < cols; ++c) row[c] = (j0 + c >= b && j0 + c < e) ? w : 0.0f;
      } else {
        const uint64_t key = rowKey(valueSide, r0 + r);
        for (int64_t c = 0; c < cols; ++c) row[c] = sigma * counterNormal(key, static_cast<uint64_t>(j0 + c));
      }
    }
  }

  // A standard normal from (key, index) alone, so any block of E or F can be
  // generated independently (in parallel, or only where the map needs it).
  static float counterNormal(uint64_t key, uint64_t index) {
    const uint64_t h1 = splitmix64(key + index * 0x9E3779B97F4A7C15ull);
    const uint64_t h2 = splitmix64(h1 ^ 0xD1B54A32D192ED03ull);
    const double u1 = (static_cast<double>(h1 >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    const double u2 = static_cast<double>(h2 >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
};

Projection projectionOf(const AttentionSpec& spec, int64_t n) {
  Projection p;
  p.n = n;
  p.k = linformerRank(spec, n);
  p.meanPool = spec.params.getString("projection") == "mean_pool";
  p.shared = spec.params.getBool("share_ef") || p.meanPool;
  p.seed = static_cast<uint64_t>(spec.params.getInt("seed"));
  return p;
}

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

// out [k x cols] = E m (or F m) for m [n x cols].
void project(const ExecContext& ctx, const Projection& p, bool valueSide, ConstMatRef m, MatRef out) {
  ThreadPool& pool = poolOf(ctx);
  if (p.meanPool) {
    pool.parallelFor(0, p.k, [&](int64_t r, int) {
      const int64_t b = p.poolBegin(r), e = p.poolBegin(r + 1);
      out.row(r) = m.middleRows(b, e - b).colwise().sum() / static_cast<float>(e - b);
    });
    return;
  }
  TrackedBuffer scratch(ctx.meter, kRowBlock * kTokenChunk * pool.size());
  const int64_t rowBlocks = (p.k + kRowBlock - 1) / kRowBlock;
  pool.parallelFor(0, rowBlocks, [&](int64_t rb, int worker) {
    ctx.checkCancelled();
    const int64_t r0 = rb * kRowBlock, rows = std::min(kRowBlock, p.k - r0);
    auto acc = out.middleRows(r0, rows);
    acc.setZero();
    for (int64_t j0 = 0; j0 < p.n; j0 += kTokenChunk) {
      const int64_t cols = std::min(kTokenChunk, p.n - j0);
      float* block = scratch.data() + kRowBlock * kTokenChunk * worker;
      p.fill(valueSide, r0, rows, j0, cols, block);
      acc.noalias() += MatMap(block, rows, cols) * m.middleRows(j0, cols);
    }
  });
}

// p [rows x k] = softmax(s q_block (E K)^T), rows of query block starting at i0.
void scoreBlock(ConstMatRef q, ConstMatRef ek, float scale, int64_t i0, int64_t rows, Eigen::Ref<Mat> p) {
  p.noalias() = (q.middleRows(i0, rows) * ek.transpose()) * scale;
  for (int64_t r = 0; r < rows; ++r) {
    const float mx = p.row(r).maxCoeff();
    p.row(r) = (p.row(r).array() - mx).exp().matrix();
    p.row(r) /= p.row(r).sum();
  }
}

class LinformerVariant final : public Variant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "linformer";
      v.title = "Linformer (low-rank projection of keys and values)";
      v.family = "low-rank";
      v.complexity = "O(n k d)";
      v.memoryComplexity = "O(k d)";
      v.useWhen = "long non-causal inputs whose attention is close to low rank (global, smooth patterns)";
      v.loses = "sharp token-to-token links (rank <= k) and causality; the projections tie it to one length n";
      v.params = {intParam("k", 64, 1, 65536, "projected length (rank of the attention map); clamped to n", "rows"),
                  boolParam("share_ef", false, "use the same projection for keys and values (E = F)"),
                  enumParam("projection", "gaussian", {"gaussian", "mean_pool"}, "seeded Gaussian N(0, 1/k) or segment-mean pooling"),
                  intParam("seed", 0, 0, 2147483647, "seed of the Gaussian projections")};
      v.supportsCausal = false;
      v.maskBased = false;
      v.displayOrder = 5;
      return v;
    }();
    return i;
  }

  void validate(const AttentionSpec& spec, const Shape& shape) const override {
    if (spec.causal)
      throw Error(ErrorKind::Unsupported, "linformer has no causal form: its projections E K and F V mix every position, later ones included");
    Variant::validate(spec, shape);
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const Projection p = projectionOf(spec, std::max<int64_t>(s.n, 1));
    const double n = static_cast<double>(s.n), k = static_cast<double>(p.k), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv);
    const double heads = static_cast<double>(s.heads), workers = std::max(1, s.workers);
    CostEstimate c;
    c.pairs = heads * n * k;
    const double projectionFlops = p.meanPool ? n * (d + dv) : 2.0 * n * k * (d + dv);
    c.flops = heads * (projectionFlops + 2.0 * n * k * (d + dv));
    c.bytesRead = 4.0 * heads * n * (2.0 * d + dv);
    c.bytesWritten = 4.0 * heads * n * dv;
    // E K and F V, per-worker score blocks, and (Gaussian) per-worker projection blocks.
    c.workspaceBytes = 4.0 * (k * (d + dv) + workers * kQueryBlock * k + (p.meanPool ? 0.0 : workers * kRowBlock * kTokenChunk));
    return c;
  }

  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    const int64_t n = in.q.rows(), d = in.q.cols(), dx = x.cols();
    validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    const Projection p = projectionOf(spec, n);
    ThreadPool& pool = poolOf(ctx);
    TrackedBuffer ekBuf(ctx.meter, p.k * d), fxBuf(ctx.meter, p.k * dx);
    MatMap ek(ekBuf.data(), p.k, d), fx(fxBuf.data(), p.k, dx);
    {
      ScopedSpan span(ctx.profiler, "linformer projections", SpanCategory::Kernel, 2.0 * n * p.k * (d + dx));
      project(ctx, p, false, in.k, ek);
      project(ctx, p, true, x, fx);
    }
    ScopedSpan span(ctx.profiler, "linformer scores", SpanCategory::Kernel, 2.0 * n * p.k * (d + dx));
    TrackedBuffer scores(ctx.meter, kQueryBlock * p.k * pool.size());
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    pool.parallelFor(0, (n + kQueryBlock - 1) / kQueryBlock, [&](int64_t qb, int worker) {
      ctx.checkCancelled();
      const int64_t i0 = qb * kQueryBlock, rows = std::min(kQueryBlock, n - i0);
      MatMap pb(scores.data() + kQueryBlock * p.k * worker, rows, p.k);
      scoreBlock(in.q, ek, scale, i0, rows, pb);
      out.middleRows(i0, rows).noalias() = pb * fx;
    });
    HeadExtras extras;
    extras.scalars.emplace_back("k_effective", static_cast<double>(p.k));
    if (!p.meanPool) extras.notes.push_back("gaussian F: rows of the map need not be non-negative or sum to 1 (A = softmax(s Q (E K)^T) F)");
    if (p.k < spec.params.getInt("k"))
      extras.notes.push_back("k = " + std::to_string(spec.params.getInt("k")) + " exceeds n = " + std::to_string(n) + "; used k = " + std::to_string(p.k));
    return extras;
  }

  // A^T y = F^T (P^T y), P = softmax(s Q (E K)^T).
  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    const int64_t n = in.q.rows(), d = in.q.cols(), c = y.cols();
    validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    const Projection p = projectionOf(spec, n);
    TrackedBuffer ekBuf(ctx.meter, p.k * d), zBuf(ctx.meter, p.k * c), pBuf(ctx.meter, kQueryBlock * p.k);
    MatMap ek(ekBuf.data(), p.k, d), z(zBuf.data(), p.k, c);
    project(ctx, p, false, in.k, ek);
    z.setZero();
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    for (int64_t i0 = 0; i0 < n; i0 += kQueryBlock) {  // serial: every block adds into z
      ctx.checkCancelled();
      const int64_t rows = std::min(kQueryBlock, n - i0);
      MatMap pb(pBuf.data(), rows, p.k);
      scoreBlock(in.q, ek, scale, i0, rows, pb);
      z.noalias() += pb.transpose() * y.middleRows(i0, rows);
    }
    ThreadPool& pool = poolOf(ctx);
    TrackedBuffer fBuf(ctx.meter, p.k * kTokenChunk * pool.size());
    pool.parallelFor(0, (n + kTokenChunk - 1) / kTokenChunk, [&](int64_t chunk, int worker) {
      const int64_t j0 = chunk * kTokenChunk, cols = std::min(kTokenChunk, n - j0);
      float* f = fBuf.data() + p.k * kTokenChunk * worker;
      p.fill(true, 0, p.k, j0, cols, f);
      out.middleRows(j0, cols).noalias() = MatMap(f, p.k, cols).transpose() * z;
    });
  }

  // Tiles of A = P F over the region: P for a stripe of the region's rows,
  // then F one column chunk at a time. Stripes keep P within kMapStripeFloats
  // whatever the region's height and k.
  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const int64_t n = in.q.rows(), d = in.q.cols();
    validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    const Projection p = projectionOf(spec, n);
    ThreadPool& pool = poolOf(ctx);
    ScopedSpan span(ctx.profiler, "linformer map", SpanCategory::Kernel);
    TrackedBuffer ekBuf(ctx.meter, p.k * d);
    MatMap ek(ekBuf.data(), p.k, d);
    project(ctx, p, false, in.k, ek);
    const int64_t stripe = std::min(grid.i1 - grid.i0, std::max(kQueryBlock, kMapStripeFloats / p.k / kQueryBlock * kQueryBlock));
    TrackedBuffer pBuf(ctx.meter, stripe * p.k);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    TrackedBuffer fBuf(ctx.meter, p.k * kTokenChunk), tiles(ctx.meter, kQueryBlock * kTokenChunk * pool.size());
    for (int64_t s0 = grid.i0; s0 < grid.i1; s0 += stripe) {
      const int64_t rows = std::min(stripe, grid.i1 - s0);
      MatMap pr(pBuf.data(), rows, p.k);
      const int64_t rowBlocks = (rows + kQueryBlock - 1) / kQueryBlock;
      pool.parallelFor(0, rowBlocks, [&](int64_t rb, int) {
        const int64_t r0 = rb * kQueryBlock, count = std::min(kQueryBlock, rows - r0);
        scoreBlock(in.q, ek, scale, s0 + r0, count, pr.middleRows(r0, count));
      });
      for (int64_t j0 = grid.j0; j0 < grid.j1; j0 += kTokenChunk) {
        ctx.checkCancelled();
        const int64_t cols = std::min(kTokenChunk, grid.j1 - j0);
        p.fill(true, 0, p.k, j0, cols, fBuf.data());
        const ConstMatMap f(fBuf.data(), p.k, cols);
        pool.parallelFor(0, rowBlocks, [&](int64_t rb, int worker) {
          const int64_t r0 = rb * kQueryBlock, count = std::min(kQueryBlock, rows - r0);
          MatMap tile(tiles.data() + kQueryBlock * kTokenChunk * worker, count, cols);
          tile.noalias() = pr.middleRows(r0, count) * f;
          grid.addTile(s0 + r0, j0, tile.data(), count, cols, cols);
        });
      }
    }
  }
};

const RegisterVariant<LinformerVariant> registration;

}  // namespace

int64_t linformerRank(const AttentionSpec& spec, int64_t n) { return std::max<int64_t>(1, std::min(spec.params.getInt("k"), n)); }

Mat linformerProjection(const AttentionSpec& spec, int64_t n, bool valueSide) {
  const Projection p = projectionOf(spec, n);
  Mat m(p.k, n);
  p.fill(valueSide, 0, p.k, 0, n, m.data());
  return m;
}

}  // namespace attnscope
