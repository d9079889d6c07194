// The CPU kernel of performer (meaning in attention/variants/performer.cpp):
// features through the ISA's GEMM and exp, then the two products (or the
// causal prefix scan).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/performer.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/lowrank_kernels.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "backend/cpu/variants/small_products.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr int64_t kChunk = 256;        // keys (or queries) per feature block
constexpr int64_t kCausalChunk = kPerformerCausalChunk;
constexpr int64_t kQueryBlock = 256;  // large enough to amortise packing in sgemm
constexpr int64_t kMapStripeFloats = int64_t{1} << 20;  // phi(Q) rows held at once by map()
constexpr int64_t kMaxStripes = 16;    // fixed partial sums, so results do not depend on thread timing

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }
int64_t chunksOf(int64_t n, int64_t c) { return (n + c - 1) / c; }
int64_t stripesFor(int64_t n) { return std::min(kMaxStripes, chunksOf(n, kChunk)); }
// Parts of the causal scan (see apply) and one worker's scratch for it.
constexpr int64_t kCausalParts = 8;
int64_t causalPartsFor(int64_t n) { return std::min(kCausalParts, chunksOf(std::max<int64_t>(n, 1), kCausalChunk)); }
int64_t causalScratchFloats(int64_t m, int64_t dx) {
  const int64_t c = kCausalChunk, cp = small::padded(c);
  return 2 * c * m + c * cp + c * (dx + 1) + m * cp;  // phi(Q_c), phi(K_c), local, num, phi(K_c)^T
}

// Query weights below e^-60 of the row's largest become 0 (far below float
// precision of the row's normaliser; as subnormals they would slow the
// products); keys below e^-80 of the shared stabiliser likewise.
constexpr float kQueryFloor = 60.0f, kKeyFloor = 80.0f;

class Features {
 public:
  // Held transposed, (W d^-1/4)^T [d x m], the right operand of the logits' product.
  Features(const ExecContext& ctx, const AttentionSpec& spec, int64_t d)
      : m(spec.params.getInt("features")), buf_(ctx.meter, m * d), wt_(buf_.data(), d, m), halfNorm_(0.5f / std::sqrt(static_cast<float>(d))) {
    wt_ = performerScaledFeatures(spec, d)->transpose();
  }

  // out [rows x m] = W x' - |x'|^2 / 2 for rows [i0, i0 + rows) of x.
  void logits(ConstMatRef x, int64_t i0, int64_t rows, Eigen::Ref<Mat> out) const {
    const float* xr = x.data() + i0 * x.outerStride();
    if (!narrowProduct(rows, m, x.cols(), xr, x.outerStride(), 1, wt_.data(), m, out.data(), out.outerStride()))
      sgemm(false, false, rows, m, x.cols(), 1.0f, xr, x.outerStride(), wt_.data(), m, 0.0f, out.data(), out.outerStride());
    for (int64_t r = 0; r < rows; ++r) out.row(r).array() -= halfNorm_ * x.row(i0 + r).squaredNorm();
  }
  void queryFeatures(ConstMatRef q, int64_t i0, int64_t rows, Eigen::Ref<Mat> out) const {
    logits(q, i0, rows, out);
    for (int64_t r = 0; r < rows; ++r) expShiftedFloor(out.data() + r * out.outerStride(), m, out.row(r).maxCoeff(), kQueryFloor);
  }
  void keyFeatures(ConstMatRef k, int64_t j0, int64_t rows, float shift, Eigen::Ref<Mat> out) const {
    logits(k, j0, rows, out);
    expKeys(out, shift);
  }
  // Key logits to features in place.
  void expKeys(Eigen::Ref<Mat> l, float shift) const {
    for (int64_t r = 0; r < l.rows(); ++r) expShiftedFloor(l.data() + r * l.outerStride(), m, shift, kKeyFloor);
  }

  const int64_t m;

 private:
  TrackedBuffer buf_;
  MatMap wt_;
  float halfNorm_;
};

// Key logits are kept from the stabiliser's pass for the key sums when they
// fit: recomputing them was a fifth of a short input's run (a third of the
// feature products).
constexpr int64_t kKeptLogitsFloats = int64_t{1} << 22;  // 16 MiB
bool keepsKeyLogits(int64_t n, int64_t m, bool causal) { return !causal && n * m <= kKeptLogitsFloats; }

// The shared key stabiliser: the largest key logit over all keys and features.
// kept (optional, [n x m]): receives the logits.
float keyShift(const ExecContext& ctx, const Features& f, ConstMatRef k, float* kept = nullptr) {
  ThreadPool& pool = poolOf(ctx);
  const int64_t n = k.rows(), chunks = chunksOf(n, kChunk);
  TrackedBuffer scratch(ctx.meter, kept ? 0 : kChunk * f.m * pool.size());
  std::vector<float> maxima(static_cast<size_t>(chunks));
  pool.parallelFor(0, chunks, [&](int64_t c, int worker) {
    const int64_t j0 = c * kChunk, rows = std::min(kChunk, n - j0);
    MatMap l(kept ? kept + j0 * f.m : scratch.data() + kChunk * f.m * worker, rows, f.m);
    f.logits(k, j0, rows, l);
    maxima[static_cast<size_t>(c)] = l.maxCoeff();
  });
  return *std::max_element(maxima.begin(), maxima.end());
}

// acc = sum over chunks of add(chunk, part): chunk c always goes to stripe
// c % stripes and stripes are summed in order, so the sum is reproducible.
void stripedSum(const ExecContext& ctx, int64_t chunks, MatRef acc, const std::function<void(int64_t, MatRef, int)>& add) {
  const int64_t stripes = std::min(kMaxStripes, chunks);
  TrackedBuffer parts(ctx.meter, stripes * acc.size());
  poolOf(ctx).parallelFor(0, stripes, [&](int64_t s, int worker) {
    MatMap part(parts.data() + s * acc.size(), acc.rows(), acc.cols());
    part.setZero();
    for (int64_t c = s; c < chunks; c += stripes) {
      ctx.checkCancelled();
      add(c, part, worker);
    }
  });
  acc.setZero();
  for (int64_t s = 0; s < stripes; ++s) acc += MatMap(parts.data() + s * acc.size(), acc.rows(), acc.cols());
}

// szT [(dx + 1) x m] = [X^T phi(K); 1^T phi(K)]. Transposed so that sgemm's
// packed (copied element by element) left operand is X^T, d x chunk, rather
// than phi(K)^T, m x chunk: 4x fewer copies at m = 256, d = 64.
// kept (optional): the key logits from keyShift, turned into phi(K) in place.
void keySums(const ExecContext& ctx, const Features& f, ConstMatRef k, ConstMatRef x, float shift, MatRef szT, float* kept = nullptr) {
  const int64_t n = k.rows(), dx = x.cols();
  TrackedBuffer scratch(ctx.meter, kept ? 0 : kChunk * f.m * poolOf(ctx).size());
  stripedSum(ctx, chunksOf(n, kChunk), szT, [&](int64_t c, MatRef part, int worker) {
    const int64_t j0 = c * kChunk, rows = std::min(kChunk, n - j0);
    MatMap phi(kept ? kept + j0 * f.m : scratch.data() + kChunk * f.m * worker, rows, f.m);
    if (kept) f.expKeys(phi, shift);
    else f.keyFeatures(k, j0, rows, shift, phi);
    const float* xr = x.data() + j0 * x.outerStride();
    if (dx > 0 && !narrowProduct(dx, f.m, rows, xr, 1, x.outerStride(), phi.data(), f.m, part.data(), part.outerStride(), true))
      sgemm(true, false, dx, f.m, rows, 1.0f, xr, x.outerStride(), phi.data(), f.m, 1.0f, part.data(), part.outerStride());
    part.row(dx) += phi.colwise().sum();
  });
}

// den[i - i0] = phi(q_i) . sum_{j allowed} phi(k_j) for rows [i0, i1).
void normalizers(const ExecContext& ctx, const Features& f, ConstMatRef q, ConstMatRef k, bool causal, float shift, int64_t i0, int64_t i1,
                 float* den) {
  const int64_t n = k.rows();
  if (!causal) {
    Mat zt(1, f.m);
    keySums(ctx, f, k, Mat(n, 0), shift, zt);
    const Vec z = zt.row(0).transpose();
    TrackedBuffer scratch(ctx.meter, kQueryBlock * f.m * poolOf(ctx).size());
    poolOf(ctx).parallelFor(0, chunksOf(i1 - i0, kQueryBlock), [&](int64_t b, int worker) {
      const int64_t r0 = i0 + b * kQueryBlock, rows = std::min(kQueryBlock, i1 - r0);
      MatMap phi(scratch.data() + kQueryBlock * f.m * worker, rows, f.m);
      f.queryFeatures(q, r0, rows, phi);
      Eigen::Map<Eigen::VectorXf>(den + (r0 - i0), rows) = phi * z;
    });
    return;
  }
  // Causal: a prefix scan over key chunks up to the last row.
  const int64_t c = kCausalChunk;
  TrackedBuffer buf(ctx.meter, 2 * c * f.m + c * c + f.m);
  Eigen::Map<Eigen::RowVectorXf> z(buf.data() + 2 * c * f.m + c * c, f.m);
  z.setZero();
  for (int64_t j0 = 0; j0 < i1; j0 += c) {
    ctx.checkCancelled();
    const int64_t rows = std::min(c, n - j0);
    MatMap pk(buf.data(), rows, f.m);
    f.keyFeatures(k, j0, rows, shift, pk);
    if (j0 + rows > i0) {
      MatMap pq(buf.data() + c * f.m, rows, f.m), local(buf.data() + 2 * c * f.m, rows, rows);
      f.queryFeatures(q, j0, rows, pq);
      local.noalias() = pq * pk.transpose();
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = j0 + r;
        if (i < i0 || i >= i1) continue;
        den[i - i0] = local.row(r).head(r + 1).sum() + pq.row(r).dot(z);
      }
    }
    z += pk.colwise().sum();
  }
}

class PerformerKernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    const int64_t n = in.q.rows(), d = in.q.cols(), dx = x.cols();
    VariantRegistry::instance().get("performer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    ScopedSpan span(ctx.profiler, spec.causal ? "performer causal prefix scan" : "performer features", SpanCategory::Kernel);
    const Features f(ctx, spec, d);
    TrackedBuffer kept(ctx.meter, keepsKeyLogits(n, f.m, spec.causal) ? n * f.m : 0);
    const float shift = keyShift(ctx, f, in.k, kept.size() ? kept.data() : nullptr);
    TrackedBuffer szBuf(ctx.meter, spec.causal ? 0 : f.m * (dx + 1));
    if (!spec.causal) {
      // Per query block, [X^T phi(K); 1^T phi(K)] phi(Q)^T: numerators and the
      // normaliser in one product whose packed left operand is the small szT.
      // With a narrow-product kernel, untransposed instead: phi(Q_b) [S | z].
      MatMap szT(szBuf.data(), dx + 1, f.m);
      keySums(ctx, f, in.k, x, shift, szT, kept.size() ? kept.data() : nullptr);
      const bool narrow = narrowProductAvailable(dx);
      TrackedBuffer sBuf(ctx.meter, narrow ? f.m * dx : 0);
      MatMap s(sBuf.data(), narrow ? f.m : 0, dx);
      if (narrow) s = szT.topRows(dx).transpose();
      const int64_t block = kQueryBlock * (f.m + dx + 1);
      TrackedBuffer scratch(ctx.meter, block * poolOf(ctx).size());
      poolOf(ctx).parallelFor(0, chunksOf(n, kQueryBlock), [&](int64_t b, int worker) {
        const int64_t i0 = b * kQueryBlock, rows = std::min(kQueryBlock, n - i0);
        MatMap phi(scratch.data() + block * worker, rows, f.m), res(scratch.data() + block * worker + kQueryBlock * f.m, dx + 1, rows);
        f.queryFeatures(in.q, i0, rows, phi);
        if (narrow) {
          float* o = out.data() + i0 * out.outerStride();
          narrowProduct(rows, dx, f.m, phi.data(), f.m, 1, s.data(), dx, o, out.outerStride());
          Eigen::Map<Eigen::VectorXf> den(res.data(), rows);
          den.noalias() = phi * szT.row(dx).transpose();
          for (int64_t r = 0; r < rows; ++r) out.row(i0 + r) *= den(r) > 0 ? 1.0f / den(r) : 0.0f;
          return;
        }
        sgemm(false, true, dx + 1, rows, f.m, 1.0f, szT.data(), f.m, phi.data(), f.m, 0.0f, res.data(), rows);
        for (int64_t r = 0; r < rows; ++r) {
          const float den = res(dx, r), inv = den > 0 ? 1.0f / den : 0.0f;
          float* o = out.data() + (i0 + r) * out.outerStride();
          for (int64_t c = 0; c < dx; ++c) o[c] = res(c, r) * inv;
        }
      });
    } else {
      // Chunked prefix scan: within a chunk the lower triangle of phi(Q_c) phi(K_c)^T,
      // before it the running sums S = phi(K)^T X and z = phi(K)^T 1.
      // The products run on the ISA's narrow kernels (small::product): in
      // Eigen's baseline build they made the causal scan 3.4x slower than the
      // non-causal path at n = 16384. The scan is split into parts of
      // consecutive chunks (a count fixed by n, so results do not depend on
      // the workers): a first pass sums each part's phi(K)^T [X | 1], and
      // every part then scans its own chunks from the sum of the parts before
      // it, all parts at once.
      const int64_t c = kCausalChunk, cp = small::padded(c), chunks = chunksOf(n, c), parts = causalPartsFor(n);
      const int64_t cell = f.m * (dx + 1), perWorker = causalScratchFloats(f.m, dx);
      ThreadPool& pool = poolOf(ctx);
      TrackedBuffer sums(ctx.meter, parts * cell), buf(ctx.meter, pool.size() * perWorker);
      const float* xd = x.data();
      const int64_t ldx = x.outerStride();
      auto chunkRange = [&](int64_t part, int64_t& first, int64_t& last) {
        first = part * chunks / parts;
        last = (part + 1) * chunks / parts;
      };
      // phi(K_c)^T [X_c | 1] added into s [m x (dx + 1)].
      auto addKeySums = [&](int64_t i0, int64_t rows, ConstMatRef pk, float* s) {
        small::product(f.m, dx, rows, pk.data(), 1, f.m, xd + i0 * ldx, ldx, s, dx + 1, true);
        MatMap(s, f.m, dx + 1).col(dx) += pk.colwise().sum().transpose();
      };
      pool.parallelFor(0, parts - 1, [&](int64_t part, int worker) {  // the last part's sum is never needed
        float* s = sums.data() + (part + 1) * cell;  // shifted by one: after the prefix below, slot p starts part p
        std::fill(s, s + cell, 0.0f);
        int64_t first, last;
        chunkRange(part, first, last);
        for (int64_t ch = first; ch < last; ++ch) {
          ctx.checkCancelled();
          const int64_t i0 = ch * c, rows = std::min(c, n - i0);
          MatMap pk(buf.data() + worker * perWorker, rows, f.m);
          f.keyFeatures(in.k, i0, rows, shift, pk);
          addKeySums(i0, rows, pk, s);
        }
      });
      std::fill(sums.data(), sums.data() + cell, 0.0f);
      for (int64_t part = 2; part < parts; ++part) small::addInto(sums.data() + part * cell, sums.data() + (part - 1) * cell, cell);
      pool.parallelFor(0, parts, [&](int64_t part, int worker) {
        float* base = buf.data() + worker * perWorker;
        MatMap prefix(sums.data() + part * cell, f.m, dx + 1);  // the parts before this one, then its own chunks so far
        int64_t first, last;
        chunkRange(part, first, last);
        for (int64_t ch = first; ch < last; ++ch) {
          ctx.checkCancelled();
          const int64_t i0 = ch * c, rows = std::min(c, n - i0);
          MatMap pq(base, rows, f.m), pk(base + c * f.m, rows, f.m);
          float* local = base + 2 * c * f.m;  // [rows x cp]
          MatMap num(local + c * cp, rows, dx + 1);
          float* pkT = num.data() + c * (dx + 1);  // [m x cp]: phi(K_c)^T
          f.queryFeatures(in.q, i0, rows, pq);
          f.keyFeatures(in.k, i0, rows, shift, pk);
          small::transposeScaled(pk, 1.0f, pkT, cp, cp);
          small::product(rows, cp, f.m, pq.data(), f.m, 1, pkT, cp, local, cp);  // phi(Q_c) phi(K_c)^T
          for (int64_t r = 0; r < rows; ++r) std::fill(local + r * cp + r + 1, local + (r + 1) * cp, 0.0f);
          small::product(rows, dx, f.m, pq.data(), f.m, 1, prefix.data(), dx + 1, num.data(), dx + 1);  // phi(Q_c) S
          small::product(rows, dx, rows, local, cp, 1, xd + i0 * ldx, ldx, num.data(), dx + 1, true);  // + lower(local) X_c
          for (int64_t r = 0; r < rows; ++r) {
            float den = 0;
            for (int64_t m = 0; m < f.m; ++m) den += pq(r, m) * prefix(m, dx);
            den += small::sum(local + r * cp, r + 1);
            out.row(i0 + r) = num.row(r).head(dx) * (den > 0 ? 1.0f / den : 0.0f);
          }
          if (ch + 1 < last) addKeySums(i0, rows, pk, prefix.data());
        }
      });
    }
    HeadExtras extras;
    extras.scalars.emplace_back("features", static_cast<double>(f.m));
    extras.scalars.emplace_back("key_stabiliser", static_cast<double>(shift));
    return extras;
  }

  // A^T y: (A^T y)_j = phi(k_j) . sum_{i allowed} phi(q_i) y_i / den_i.
  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    const int64_t n = in.q.rows(), d = in.q.cols(), cy = y.cols();
    VariantRegistry::instance().get("performer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    const Features f(ctx, spec, d);
    const float shift = keyShift(ctx, f, in.k);
    TrackedBuffer denBuf(ctx.meter, n), gBuf(ctx.meter, f.m * cy);
    normalizers(ctx, f, in.q, in.k, spec.causal, shift, 0, n, denBuf.data());
    const float* den = denBuf.data();
    auto inverse = [&](int64_t i) { return den[i] > 0 ? 1.0f / den[i] : 0.0f; };
    MatMap g(gBuf.data(), f.m, cy);
    if (!spec.causal) {
      TrackedBuffer scratch(ctx.meter, kChunk * (f.m + cy) * poolOf(ctx).size());
      stripedSum(ctx, chunksOf(n, kChunk), g, [&](int64_t c, MatRef part, int worker) {
        const int64_t i0 = c * kChunk, rows = std::min(kChunk, n - i0);
        MatMap phi(scratch.data() + kChunk * (f.m + cy) * worker, rows, f.m), yd(scratch.data() + kChunk * (f.m + cy) * worker + rows * f.m, rows, cy);
        f.queryFeatures(in.q, i0, rows, phi);
        for (int64_t r = 0; r < rows; ++r) yd.row(r) = y.row(i0 + r) * inverse(i0 + r);
        part.noalias() += phi.transpose() * yd;
      });
      TrackedBuffer keyScratch(ctx.meter, kChunk * f.m * poolOf(ctx).size());
      poolOf(ctx).parallelFor(0, chunksOf(n, kChunk), [&](int64_t c, int worker) {
        const int64_t j0 = c * kChunk, rows = std::min(kChunk, n - j0);
        MatMap phi(keyScratch.data() + kChunk * f.m * worker, rows, f.m);
        f.keyFeatures(in.k, j0, rows, shift, phi);
        out.middleRows(j0, rows).noalias() = phi * g;
      });
      return;
    }
    // Causal: a suffix scan, G = sum_{i >= chunk} phi(q_i)^T y_i / den_i.
    const int64_t c = kCausalChunk;
    TrackedBuffer buf(ctx.meter, 2 * c * f.m + c * c + c * cy);
    g.setZero();
    for (int64_t j0 = ((n - 1) / c) * c; j0 >= 0; j0 -= c) {
      ctx.checkCancelled();
      const int64_t rows = std::min(c, n - j0);
      MatMap pq(buf.data(), rows, f.m), pk(buf.data() + c * f.m, rows, f.m);
      MatMap local(buf.data() + 2 * c * f.m, rows, rows), yd(buf.data() + 2 * c * f.m + c * c, rows, cy);
      f.queryFeatures(in.q, j0, rows, pq);
      f.keyFeatures(in.k, j0, rows, shift, pk);
      for (int64_t r = 0; r < rows; ++r) yd.row(r) = y.row(j0 + r) * inverse(j0 + r);
      local.noalias() = pk * pq.transpose();  // (key j, query i): allowed when i >= j
      for (int64_t r = 0; r < rows; ++r) local.row(r).head(r).setZero();
      out.middleRows(j0, rows).noalias() = pk * g;
      out.middleRows(j0, rows).noalias() += local * yd;
      g.noalias() += pq.transpose() * yd;
    }
  }

  // A = diag(1 / den) phi(Q) phi(K)^T (causal: j <= i), with the forward's stabilisers.
  std::optional<LowRankFactors> factors(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in) const override {
    const int64_t n = in.q.rows(), d = in.q.cols();
    VariantRegistry::instance().get("performer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    ThreadPool& pool = poolOf(ctx);
    const Features f(ctx, spec, d);
    const float shift = keyShift(ctx, f, in.k);
    LowRankFactors out;
    out.causal = spec.causal;
    out.left.resize(n, f.m);
    out.right.resize(n, f.m);
    out.rowScale.resize(static_cast<size_t>(n));
    normalizers(ctx, f, in.q, in.k, spec.causal, shift, 0, n, out.rowScale.data());
    for (float& s : out.rowScale) s = s > 0 ? 1.0f / s : 0.0f;
    pool.parallelFor(0, chunksOf(n, kChunk), [&](int64_t c, int) {
      ctx.checkCancelled();
      const int64_t i0 = c * kChunk, rows = std::min(kChunk, n - i0);
      f.queryFeatures(in.q, i0, rows, out.left.middleRows(i0, rows));
      f.keyFeatures(in.k, i0, rows, shift, out.right.middleRows(i0, rows));
    });
    return out;
  }

  // Tiles phi(Q_stripe) phi(K_chunk)^T / den over the region, one stripe of
  // the region's rows at a time so phi(Q) stays within kMapStripeFloats.
  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const int64_t n = in.q.rows(), d = in.q.cols();
    VariantRegistry::instance().get("performer").validate(spec, Shape{n, d, in.v.cols(), 1, spec.causal, 1});
    ScopedSpan span(ctx.profiler, "performer map", SpanCategory::Kernel);
    ThreadPool& pool = poolOf(ctx);
    const Features f(ctx, spec, d);
    const float shift = keyShift(ctx, f, in.k);
    const int64_t height = grid.i1 - grid.i0;
    const int64_t stripe = std::min(height, std::max(kQueryBlock, kMapStripeFloats / f.m / kQueryBlock * kQueryBlock));
    TrackedBuffer denBuf(ctx.meter, height), pqBuf(ctx.meter, stripe * f.m);
    normalizers(ctx, f, in.q, in.k, spec.causal, shift, grid.i0, grid.i1, denBuf.data());
    TrackedBuffer pkBuf(ctx.meter, kChunk * f.m), tiles(ctx.meter, kQueryBlock * kChunk * pool.size());
    for (int64_t s0 = grid.i0; s0 < grid.i1; s0 += stripe) {
      const int64_t rows = std::min(stripe, grid.i1 - s0);
      MatMap pq(pqBuf.data(), rows, f.m);
      const int64_t blocks = chunksOf(rows, kQueryBlock);
      pool.parallelFor(0, blocks, [&](int64_t b, int) {
        const int64_t r0 = b * kQueryBlock, count = std::min(kQueryBlock, rows - r0);
        f.queryFeatures(in.q, s0 + r0, count, pq.middleRows(r0, count));
      });
      // Causal: keys after the stripe's last row are never attended.
      const int64_t jEnd = spec.causal ? std::min(grid.j1, s0 + rows) : grid.j1;
      for (int64_t j0 = grid.j0; j0 < jEnd; j0 += kChunk) {
        ctx.checkCancelled();
        const int64_t cols = std::min(kChunk, jEnd - j0);
        MatMap pk(pkBuf.data(), cols, f.m);
        f.keyFeatures(in.k, j0, cols, shift, pk);
        pool.parallelFor(0, blocks, [&](int64_t b, int worker) {
          const int64_t r0 = b * kQueryBlock, count = std::min(kQueryBlock, rows - r0);
          MatMap tile(tiles.data() + kQueryBlock * kChunk * worker, count, cols);
          // The ISA's GEMM, not Eigen's: core's Eigen is built for baseline x86-64.
          sgemm(false, true, count, cols, f.m, 1.0f, pq.data() + r0 * f.m, f.m, pk.data(), f.m, 0.0f, tile.data(), cols, &pool);
          for (int64_t r = 0; r < count; ++r) {
            const int64_t i = s0 + r0 + r;
            const float den = denBuf.data()[i - grid.i0];
            tile.row(r) *= den > 0 ? 1.0f / den : 0.0f;
            if (spec.causal)
              for (int64_t c = std::max<int64_t>(0, i + 1 - j0); c < cols; ++c) tile(r, c) = 0.0f;
          }
          grid.addTile(s0 + r0, j0, tile.data(), count, cols, cols);
        });
      }
    }
  }
};

const RegisterCpuKernel<PerformerKernel> registration("performer");

}  // namespace

double performerWorkspaceBytes(const AttentionSpec& spec, const Shape& s) {
  const double m = static_cast<double>(spec.params.getInt("features"));
  const double d = static_cast<double>(s.d), dv = static_cast<double>(s.dv);
  const double workers = std::max(1, s.workers);
  const bool keep = keepsKeyLogits(s.n, spec.params.getInt("features"), s.causal);
  const double kept = keep ? static_cast<double>(s.n) * m : 0.0;
  const double shiftPass = keep ? 0.0 : workers * kChunk * m;
  const double parts = static_cast<double>(causalPartsFor(s.n));
  const double scan = s.causal ? parts * m * (dv + 1) +
                                     workers * static_cast<double>(causalScratchFloats(spec.params.getInt("features"), s.dv))
                               : m * (dv + 1) + std::max(stripesFor(s.n) * m * (dv + 1) + (keep ? 0.0 : workers * kChunk * m),
                                                         m * dv + workers * kQueryBlock * (m + dv + 1));
  return 4.0 * (m * d + kept + std::max(shiftPass, scan));
}

}  // namespace attnscope
