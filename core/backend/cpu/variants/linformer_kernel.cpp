// The CPU kernel of linformer (meaning in attention/variants/linformer.cpp):
// E K and F X through the ISA's GEMM, then query blocks scored against the k
// projected keys.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/linformer_projection.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/lowrank_kernels.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

using linformer::Projection;
using linformer::projectionOf;

constexpr int64_t kQueryBlock = 256;  // query rows scored together (large enough to amortise packing in sgemm)
constexpr int64_t kRowBlock = 16;     // projection rows generated together
constexpr int64_t kTokenChunk = 512;  // tokens per generated projection block
constexpr int64_t kMapStripeFloats = int64_t{1} << 20;  // P rows held at once by map()
// E and F are the layer's weights: once drawn they are kept, as a model keeps
// its weights, so runs and heads do not pay k n Gaussian draws each time.
// Kept up to this many floats per matrix (k = 64 up to n = 131072) and this
// many matrices; larger ones are drawn block by block on every pass.
constexpr int64_t kCachedFloats = int64_t{1} << 23;
constexpr size_t kCacheEntries = 4;

bool cached(const Projection& p) { return !p.meanPool && p.k * p.n <= kCachedFloats; }

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }
int64_t blocksOf(int64_t n, int64_t b) { return (n + b - 1) / b; }

// The whole of E or F for a cached() projection, drawn on first use.
std::shared_ptr<const Mat> cachedMatrix(const Projection& p, bool valueSide, ThreadPool& pool) {
  struct Entry {
    uint64_t stream;
    int64_t n, k;
    std::shared_ptr<const Mat> matrix;
  };
  static std::mutex mutex;
  static std::vector<Entry> entries;  // least recently used first
  const uint64_t stream = p.streamKey(valueSide);
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = entries.begin(); it != entries.end(); ++it)
    if (it->stream == stream && it->n == p.n && it->k == p.k) {
      Entry hit = *it;
      entries.erase(it);
      entries.push_back(hit);
      return hit.matrix;
    }
  auto m = std::make_shared<Mat>(p.k, p.n);
  const int64_t chunks = blocksOf(p.n, kTokenChunk);
  pool.parallelFor(0, blocksOf(p.k, kRowBlock) * chunks, [&](int64_t t, int) {
    const int64_t r0 = (t / chunks) * kRowBlock, j0 = (t % chunks) * kTokenChunk;
    p.fill(valueSide, r0, std::min(kRowBlock, p.k - r0), j0, std::min(kTokenChunk, p.n - j0), m->data() + r0 * p.n + j0, p.n);
  });
  if (entries.size() >= kCacheEntries) entries.erase(entries.begin());
  entries.push_back(Entry{stream, p.n, p.k, m});
  return m;
}

// out [k x cols] = E m (or F m) for m [n x cols].
void project(const ExecContext& ctx, const Projection& p, bool valueSide, ConstMatRef m, MatRef out) {
  ThreadPool& pool = poolOf(ctx);
  const int64_t cols = m.cols();
  if (p.meanPool) {
    pool.parallelFor(0, p.k, [&](int64_t r, int) {
      const int64_t b = p.poolBegin(r), e = p.poolBegin(r + 1);
      out.row(r) = m.middleRows(b, e - b).colwise().sum() / static_cast<float>(e - b);
    });
    return;
  }
  if (cached(p)) {
    // One band of E's rows per worker: each band is one long GEMM over all n tokens.
    const std::shared_ptr<const Mat> e = cachedMatrix(p, valueSide, pool);
    const int64_t bands = std::min<int64_t>(pool.size(), blocksOf(p.k, 8));
    pool.parallelFor(0, bands, [&](int64_t band, int) {
      ctx.checkCancelled();
      const int64_t r0 = band * p.k / bands, r1 = (band + 1) * p.k / bands;
      float* o = out.data() + r0 * out.outerStride();
      if (!narrowProduct(r1 - r0, cols, p.n, e->data() + r0 * p.n, p.n, 1, m.data(), m.outerStride(), o, out.outerStride()))
        sgemm(false, false, r1 - r0, cols, p.n, 1.0f, e->data() + r0 * p.n, p.n, m.data(), m.outerStride(), 0.0f, o, out.outerStride(), &pool);
    });
    return;
  }
  TrackedBuffer scratch(ctx.meter, kRowBlock * kTokenChunk * pool.size());
  pool.parallelFor(0, blocksOf(p.k, kRowBlock), [&](int64_t rb, int worker) {
    ctx.checkCancelled();
    const int64_t r0 = rb * kRowBlock, rows = std::min(kRowBlock, p.k - r0);
    float* acc = out.data() + r0 * out.outerStride();
    for (int64_t j0 = 0; j0 < p.n; j0 += kTokenChunk) {
      const int64_t width = std::min(kTokenChunk, p.n - j0);
      float* block = scratch.data() + kRowBlock * kTokenChunk * worker;
      p.fill(valueSide, r0, rows, j0, width, block, width);
      sgemm(false, false, rows, cols, width, 1.0f, block, width, m.data() + j0 * m.outerStride(), m.outerStride(), j0 == 0 ? 0.0f : 1.0f, acc,
            out.outerStride(), &pool);
    }
  });
}

// Columns [j0, j0 + cols) of F as [k x cols] with row stride *ld: a view into
// the cached matrix, or drawn into scratch.
const float* valueColumns(const Projection& p, const Mat* f, int64_t j0, int64_t cols, float* scratch, int64_t* ld) {
  if (f) {
    *ld = p.n;
    return f->data() + j0;
  }
  p.fill(true, 0, p.k, j0, cols, scratch, cols);
  *ld = cols;
  return scratch;
}

// Weights below e^-60 of the row's largest become 0: far below float
// precision of the row sum, and as subnormals they would slow the products.
constexpr float kExpFloor = 60.0f;

// In place, each of `rows` rows of width k (row stride ld): softmax.
void softmaxRows(float* p, int64_t rows, int64_t k, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    Eigen::Map<Eigen::ArrayXf> row(p + r * ld, k);
    expShiftedFloor(row.data(), k, row.maxCoeff(), kExpFloor);
    row *= 1.0f / row.sum();
  }
}

// One query block of the forward pass, transposed for sgemm: S^T = s EK Q_b^T,
// then O_b^T = FX^T P^T. The operands sgemm copies one element at a time (its
// left ones) are then the small k x d and dx x k factors, not the block's
// rows; the softmax runs down S^T's columns, a query per lane.
void forwardBlock(ConstMatRef q, ConstMatRef ek, ConstMatRef fx, float scale, int64_t i0, int64_t rows, float* scratch, MatRef out) {
  const int64_t k = ek.rows(), d = ek.cols(), dx = fx.cols();
  float* st = scratch;           // [k x rows]
  float* ot = st + k * rows;     // [dx x rows]
  Eigen::Map<Eigen::ArrayXf> mx(ot + dx * rows, rows), sum(ot + dx * rows + rows, rows);
  sgemm(false, true, k, rows, d, scale, ek.data(), ek.outerStride(), q.data() + i0 * q.outerStride(), q.outerStride(), 0.0f, st, rows);
  mx = Eigen::Map<Eigen::ArrayXf>(st, rows);
  for (int64_t r = 1; r < k; ++r) mx = mx.max(Eigen::Map<Eigen::ArrayXf>(st + r * rows, rows));
  sum.setZero();
  for (int64_t r = 0; r < k; ++r) {
    Eigen::Map<Eigen::ArrayXf> row(st + r * rows, rows);
    row -= mx;
    expShiftedFloor(row.data(), rows, 0.0f, kExpFloor);
    sum += row;
  }
  sgemm(true, false, dx, rows, k, 1.0f, fx.data(), fx.outerStride(), st, rows, 0.0f, ot, rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float inv = 1.0f / sum(r);  // >= 1: the largest weight is e^0
    float* o = out.data() + (i0 + r) * out.outerStride();
    for (int64_t c = 0; c < dx; ++c) o[c] = ot[c * rows + r] * inv;
  }
}
int64_t forwardScratchFloats(int64_t k, int64_t dx) { return kQueryBlock * (k + dx + 2); }

// The same block through the ISA's narrow product, untransposed: S = Q_b (s EK)^T
// from ekT = s (EK)^T [d x k], a softmax per row, O_b = P FX. False when the
// path has no such kernel (the caller runs forwardBlock).
bool forwardBlockNarrow(ConstMatRef q, const float* ekT, ConstMatRef fx, int64_t k, int64_t i0, int64_t rows, float* scratch, MatRef out) {
  const int64_t d = q.cols(), dx = fx.cols();
  if (!narrowProduct(rows, k, d, q.data() + i0 * q.outerStride(), q.outerStride(), 1, ekT, k, scratch, k)) return false;
  softmaxRows(scratch, rows, k, k);
  float* o = out.data() + i0 * out.outerStride();
  if (!narrowProduct(rows, dx, k, scratch, k, 1, fx.data(), fx.outerStride(), o, out.outerStride()))
    sgemm(false, false, rows, dx, k, 1.0f, scratch, k, fx.data(), fx.outerStride(), 0.0f, o, out.outerStride());
  return true;
}

// p [rows x k] = softmax(s q_block (E K)^T), rows of query block starting at i0.
void scoreBlock(ConstMatRef q, ConstMatRef ek, float scale, int64_t i0, int64_t rows, MatRef p) {
  sgemm(false, true, rows, ek.rows(), q.cols(), scale, q.data() + i0 * q.outerStride(), q.outerStride(), ek.data(), ek.outerStride(), 0.0f, p.data(),
        p.outerStride());
  softmaxRows(p.data(), rows, ek.rows(), p.outerStride());
}

class LinformerKernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    const int64_t n = in.q.rows(), d = in.q.cols(), dx = x.cols();
    VariantRegistry::instance().get("linformer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
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
    const int64_t perWorker = forwardScratchFloats(p.k, dx);
    TrackedBuffer scratch(ctx.meter, perWorker * pool.size()), ektBuf(ctx.meter, p.k * d);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    MatMap(ektBuf.data(), d, p.k) = ek.transpose() * scale;
    pool.parallelFor(0, blocksOf(n, kQueryBlock), [&](int64_t qb, int worker) {
      ctx.checkCancelled();
      const int64_t i0 = qb * kQueryBlock, rows = std::min(kQueryBlock, n - i0);
      float* s = scratch.data() + perWorker * worker;
      if (!forwardBlockNarrow(in.q, ektBuf.data(), fx, p.k, i0, rows, s, out)) forwardBlock(in.q, ek, fx, scale, i0, rows, s, out);
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
    VariantRegistry::instance().get("linformer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
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
      sgemm(true, false, p.k, c, rows, 1.0f, pb.data(), p.k, y.data() + i0 * y.outerStride(), y.outerStride(), 1.0f, z.data(), c);
    }
    ThreadPool& pool = poolOf(ctx);
    const std::shared_ptr<const Mat> f = cached(p) ? cachedMatrix(p, true, pool) : nullptr;
    TrackedBuffer fBuf(ctx.meter, f ? 0 : p.k * kTokenChunk * pool.size());
    pool.parallelFor(0, blocksOf(n, kTokenChunk), [&](int64_t chunk, int worker) {
      const int64_t j0 = chunk * kTokenChunk, cols = std::min(kTokenChunk, n - j0);
      int64_t ld = 0;
      const float* fc = valueColumns(p, f.get(), j0, cols, fBuf.data() + p.k * kTokenChunk * worker, &ld);
      sgemm(true, false, cols, c, p.k, 1.0f, fc, ld, z.data(), c, 0.0f, out.data() + j0 * out.outerStride(), out.outerStride(), &pool);
    });
  }

  // A = P F: L = P = softmax(s Q (E K)^T) [n x k], R = F^T [n x k].
  std::optional<LowRankFactors> factors(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in) const override {
    const int64_t n = in.q.rows(), d = in.q.cols();
    VariantRegistry::instance().get("linformer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    const Projection p = projectionOf(spec, n);
    ThreadPool& pool = poolOf(ctx);
    TrackedBuffer ekBuf(ctx.meter, p.k * d);
    MatMap ek(ekBuf.data(), p.k, d);
    project(ctx, p, false, in.k, ek);
    LowRankFactors f;
    f.left.resize(n, p.k);
    f.right.resize(n, p.k);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    pool.parallelFor(0, blocksOf(n, kQueryBlock), [&](int64_t qb, int) {
      ctx.checkCancelled();
      const int64_t i0 = qb * kQueryBlock, rows = std::min(kQueryBlock, n - i0);
      scoreBlock(in.q, ek, scale, i0, rows, f.left.middleRows(i0, rows));
    });
    const std::shared_ptr<const Mat> fm = cached(p) ? cachedMatrix(p, true, pool) : nullptr;
    TrackedBuffer fBuf(ctx.meter, fm ? 0 : p.k * kTokenChunk * pool.size());
    pool.parallelFor(0, blocksOf(n, kTokenChunk), [&](int64_t chunk, int worker) {
      const int64_t j0 = chunk * kTokenChunk, cols = std::min(kTokenChunk, n - j0);
      int64_t ld = 0;
      const float* fc = valueColumns(p, fm.get(), j0, cols, fBuf.data() + p.k * kTokenChunk * worker, &ld);
      f.right.middleRows(j0, cols) = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>(fc, p.k, cols, Eigen::OuterStride<>(ld)).transpose();
    });
    return f;
  }

  // Tiles of A = P F over the region: P for a stripe of the region's rows,
  // then F one column chunk at a time. Stripes keep P within kMapStripeFloats
  // whatever the region's height and k.
  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const int64_t n = in.q.rows(), d = in.q.cols();
    VariantRegistry::instance().get("linformer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    const Projection p = projectionOf(spec, n);
    ThreadPool& pool = poolOf(ctx);
    ScopedSpan span(ctx.profiler, "linformer map", SpanCategory::Kernel);
    TrackedBuffer ekBuf(ctx.meter, p.k * d);
    MatMap ek(ekBuf.data(), p.k, d);
    project(ctx, p, false, in.k, ek);
    const int64_t stripe = std::min(grid.i1 - grid.i0, std::max(kQueryBlock, kMapStripeFloats / p.k / kQueryBlock * kQueryBlock));
    TrackedBuffer pBuf(ctx.meter, stripe * p.k);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const std::shared_ptr<const Mat> f = cached(p) ? cachedMatrix(p, true, pool) : nullptr;
    TrackedBuffer fBuf(ctx.meter, f ? 0 : p.k * kTokenChunk), tiles(ctx.meter, kQueryBlock * kTokenChunk * pool.size());
    for (int64_t s0 = grid.i0; s0 < grid.i1; s0 += stripe) {
      const int64_t rows = std::min(stripe, grid.i1 - s0);
      MatMap pr(pBuf.data(), rows, p.k);
      const int64_t rowBlocks = blocksOf(rows, kQueryBlock);
      pool.parallelFor(0, rowBlocks, [&](int64_t rb, int) {
        const int64_t r0 = rb * kQueryBlock, count = std::min(kQueryBlock, rows - r0);
        scoreBlock(in.q, ek, scale, s0 + r0, count, pr.middleRows(r0, count));
      });
      for (int64_t j0 = grid.j0; j0 < grid.j1; j0 += kTokenChunk) {
        ctx.checkCancelled();
        const int64_t cols = std::min(kTokenChunk, grid.j1 - j0);
        int64_t ld = 0;
        const float* fc = valueColumns(p, f.get(), j0, cols, fBuf.data(), &ld);
        pool.parallelFor(0, rowBlocks, [&](int64_t rb, int worker) {
          const int64_t r0 = rb * kQueryBlock, count = std::min(kQueryBlock, rows - r0);
          float* tile = tiles.data() + kQueryBlock * kTokenChunk * worker;
          sgemm(false, false, count, cols, p.k, 1.0f, pr.data() + r0 * p.k, p.k, fc, ld, 0.0f, tile, cols, &pool);
          grid.addTile(s0 + r0, j0, tile, count, cols, cols);
        });
      }
    }
  }
};

const RegisterCpuKernel<LinformerKernel> registration("linformer");

}  // namespace

double linformerWorkspaceBytes(const AttentionSpec& spec, const Shape& s) {
  const Projection p = projectionOf(spec, std::max<int64_t>(s.n, 1));
  const double k = static_cast<double>(p.k), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv);
  const double workers = std::max(1, s.workers);
  // E K, its scaled transpose, F V, per-worker forward blocks, and (Gaussian beyond the cache) per-worker projection blocks.
  return 4.0 * (k * (2 * d + dv) + workers * static_cast<double>(forwardScratchFloats(p.k, s.dv)) +
                (p.meanPool || cached(p) ? 0.0 : workers * kRowBlock * kTokenChunk));
}

}  // namespace attnscope
