// hierarchical: blocks of b tokens (the last one may be short). Token i scores
// every key of its own block at full resolution, s q_i . k_j, and every other
// block c through one summary key, s q_i . mean(K over c), all in ONE softmax.
// The summary's value is the block mean of the values (of x in apply), so
//   out_i = sum_{j in own block} p_ij x_j + sum_{c != own} P_ic mean(x over c).
// The effective operator A spreads P_ic equally over the tokens of block c:
// A(i, j) = P_ic / |c| for j in c, which makes A x exact and rows sum to 1.
//
// Causal: token i sees its own block up to itself (j <= i) and the summaries
// of the blocks wholly before its own; a summary of the current or a later
// block would mix future tokens into the past.
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variant.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Scratch per worker for one run of query rows: rows x (block + blocks)
// probabilities. The run is at most 64 rows and shrinks so that this stays
// near 1 MiB even when the block or the block count is huge.
constexpr int64_t kScratchFloats = int64_t{1} << 18;
constexpr int64_t kMaxRunRows = 64;

struct Blocks {
  int64_t n = 0, b = 0, count = 0;
  int64_t start(int64_t c) const { return c * b; }
  int64_t length(int64_t c) const { return std::min(b, n - c * b); }
  int64_t of(int64_t i) const { return i / b; }
  // Rows per run of queries inside one block.
  int64_t runRows() const { return std::clamp<int64_t>(kScratchFloats / (std::min(b, n) + count), 1, kMaxRunRows); }
};

Blocks blocksFor(const AttentionSpec& spec, int64_t n) {
  Blocks bl;
  bl.n = n;
  bl.b = std::min(spec.params.getInt("block"), std::max<int64_t>(1, n));
  bl.count = (n + bl.b - 1) / bl.b;
  return bl;
}

// Block means of m's rows into means (count x m.cols()).
void blockMeansInto(const Blocks& bl, ConstMatRef m, MatMap means) {
  for (int64_t c = 0; c < bl.count; ++c) means.row(c) = m.middleRows(bl.start(c), bl.length(c)).colwise().sum() / static_cast<float>(bl.length(c));
}

// Probabilities of the query rows [i0, i0 + rows), all inside block qb:
// own (rows x |qb|) over the block's keys and summary (rows x count) over the
// block summaries, normalised together. Masked entries are exactly 0.
void runProbabilities(const Blocks& bl, ConstMatRef q, ConstMatRef k, ConstMatRef keyMeans, float scale, bool causal, int64_t i0, int64_t rows,
                      Eigen::Ref<Mat> own, Eigen::Ref<Mat> summary) {
  const int64_t qb = bl.of(i0), s0 = bl.start(qb), len = bl.length(qb);
  own.noalias() = (q.middleRows(i0, rows) * k.middleRows(s0, len).transpose()) * scale;
  summary.noalias() = (q.middleRows(i0, rows) * keyMeans.transpose()) * scale;
  summary.col(qb).setConstant(kNegInf);
  if (causal) {
    summary.rightCols(bl.count - qb).setConstant(kNegInf);
    for (int64_t r = 0; r < rows; ++r) own.row(r).tail(len - (i0 + r - s0) - 1).setConstant(kNegInf);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float m = std::max(own.row(r).maxCoeff(), bl.count > 1 ? summary.row(r).maxCoeff() : kNegInf);
    own.row(r) = (own.row(r).array() - m).exp().matrix();
    summary.row(r) = (summary.row(r).array() - m).exp().matrix();
    const float l = own.row(r).sum() + summary.row(r).sum();
    own.row(r) /= l;
    summary.row(r) /= l;
  }
}

// Splits the rows [a, e) into runs that stay inside one block and fit the scratch.
template <typename Fn>
void forEachRun(const Blocks& bl, int64_t a, int64_t e, Fn fn) {
  const int64_t maxRows = bl.runRows();
  for (int64_t i = a; i < e;) {
    const int64_t blockEnd = bl.start(bl.of(i)) + bl.length(bl.of(i));
    const int64_t rows = std::min({maxRows, e - i, blockEnd - i});
    fn(i, rows);
    i += rows;
  }
}

class HierarchicalVariant final : public Variant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "hierarchical";
      v.title = "Hierarchical (own block + block summaries)";
      v.family = "hierarchical";
      v.complexity = "O(n (b + n/b) d)";
      v.memoryComplexity = "O(n d + (n/b) d)";
      v.useWhen = "every token needs a coarse view of the whole sequence and exact detail nearby; b ~ sqrt(n) balances the two";
      v.loses = "detail far away: a distant block is seen only through its mean key and mean value";
      v.params = {intParam("block", 64, 1, 1000000, "tokens per block: exact attention inside it, one summary per other block", "tokens")};
      v.supportsCausal = true;
      v.maskBased = false;
      v.displayOrder = 9;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const Blocks bl = blocksFor(spec, std::max<int64_t>(1, s.n));
    const double n = static_cast<double>(s.n), b = static_cast<double>(bl.b), nb = static_cast<double>(bl.count);
    const double d = static_cast<double>(s.d), dv = static_cast<double>(s.dv), h = static_cast<double>(s.heads);
    // Own-block pairs plus one summary per other block, per query; when causal,
    // the own block's lower triangle and the summaries of earlier blocks.
    const double last = n - (nb - 1) * b;  // length of the (possibly short) last block
    const double perHead = s.causal ? (nb - 1) * b * (b + 1) / 2 + last * (last + 1) / 2 + b * (nb - 1) * (nb - 2) / 2 + last * (nb - 1)
                                    : (nb - 1) * b * b + last * last + n * (nb - 1);
    CostEstimate c;
    c.pairs = perHead * h;
    c.flops = c.pairs * 2.0 * (d + dv) + h * n * (d + dv);  // plus the block means of K and V
    // Q, K, V read for the means and the pass; the summaries are read once per run of rows.
    const double runs = std::ceil(n / static_cast<double>(bl.runRows()));
    c.bytesRead = 4.0 * h * (n * (d + 2.0 * (d + dv)) + runs * nb * (d + dv));
    c.bytesWritten = 4.0 * h * n * dv;
    c.workspaceBytes = 4.0 * (nb * (d + dv) + static_cast<double>(std::max(1, s.workers)) * static_cast<double>(bl.runRows()) * (std::min(b, n) + nb));
    return c;
  }

  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    checkShapes(in, x.rows(), out.rows());
    const Blocks bl = blocksFor(spec, in.q.rows());
    const int64_t d = in.q.cols(), dv = x.cols();
    TrackedBuffer meanStore(ctx.meter, bl.count * (d + dv));
    MatMap keyMeans(meanStore.data(), bl.count, d), valueMeans(meanStore.data() + bl.count * d, bl.count, dv);
    ScopedSpan span(ctx.profiler, "hierarchical forward", SpanCategory::Kernel);
    blockMeansInto(bl, in.k, keyMeans);
    blockMeansInto(bl, x, valueMeans);

    ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
    const int64_t runRows = bl.runRows(), perWorker = runRows * (std::min(bl.b, bl.n) + bl.count);
    TrackedBuffer scratch(ctx.meter, perWorker * pool.size());
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    // One task per run of query rows; each writes only its own rows of out.
    const int64_t runsPerBlock = (bl.b + runRows - 1) / runRows;
    pool.parallelFor(0, bl.count * runsPerBlock, [&](int64_t task, int worker) {
      ctx.checkCancelled();
      const int64_t qb = task / runsPerBlock, i0 = bl.start(qb) + (task % runsPerBlock) * runRows;
      const int64_t blockEnd = bl.start(qb) + bl.length(qb);
      if (i0 >= blockEnd) return;
      const int64_t rows = std::min(runRows, blockEnd - i0), len = bl.length(qb);
      float* base = scratch.data() + perWorker * worker;
      MatMap own(base, rows, len), summary(base + rows * len, rows, bl.count);
      runProbabilities(bl, in.q, in.k, keyMeans, scale, spec.causal, i0, rows, own, summary);
      out.middleRows(i0, rows).noalias() = own * x.middleRows(bl.start(qb), len);
      out.middleRows(i0, rows).noalias() += summary * valueMeans;
    });
    HeadExtras extras;
    extras.scalars.emplace_back("blocks", static_cast<double>(bl.count));
    extras.scalars.emplace_back("block", static_cast<double>(bl.b));
    extras.scalars.emplace_back("pairs_computed", cost(spec, shapeOfHead(in, spec.causal)).pairs);
    return extras;
  }

  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    // (A^T y)_j = sum_{i in block(j)} p_ij y_i + (1/|c|) sum_{i outside c} P_ic y_i, with c = block(j).
    checkShapes(in, y.rows(), out.rows());
    const Blocks bl = blocksFor(spec, in.q.rows());
    const int64_t d = in.q.cols(), cols = y.cols();
    ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
    const int workers = pool.size();
    const int64_t runRows = bl.runRows(), perWorker = runRows * (std::min(bl.b, bl.n) + bl.count);
    TrackedBuffer meanStore(ctx.meter, bl.count * d), scratch(ctx.meter, perWorker * workers), toSummaries(ctx.meter, workers * bl.count * cols);
    MatMap keyMeans(meanStore.data(), bl.count, d);
    blockMeansInto(bl, in.k, keyMeans);
    std::fill(toSummaries.data(), toSummaries.data() + toSummaries.size(), 0.0f);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    out.setZero();
    // One task per block: the own-block part writes only that block's rows of out.
    pool.parallelFor(0, bl.count, [&](int64_t qb, int worker) {
      ctx.checkCancelled();
      float* base = scratch.data() + perWorker * worker;
      MatMap z(toSummaries.data() + worker * bl.count * cols, bl.count, cols);
      const int64_t s0 = bl.start(qb), len = bl.length(qb);
      forEachRun(bl, s0, s0 + len, [&](int64_t i0, int64_t rows) {
        MatMap own(base, rows, len), summary(base + rows * len, rows, bl.count);
        runProbabilities(bl, in.q, in.k, keyMeans, scale, spec.causal, i0, rows, own, summary);
        out.middleRows(s0, len).noalias() += own.transpose() * y.middleRows(i0, rows);
        z.noalias() += summary.transpose() * y.middleRows(i0, rows);
      });
    });
    for (int w = 1; w < workers; ++w) MatMap(toSummaries.data(), bl.count, cols) += MatMap(toSummaries.data() + w * bl.count * cols, bl.count, cols);
    const MatMap z(toSummaries.data(), bl.count, cols);
    for (int64_t c = 0; c < bl.count; ++c) out.middleRows(bl.start(c), bl.length(c)).rowwise() += z.row(c) / static_cast<float>(bl.length(c));
  }

  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const Blocks bl = blocksFor(spec, in.q.rows());
    const int64_t d = in.q.cols();
    ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
    const int64_t runRows = bl.runRows(), perWorker = runRows * (std::min(bl.b, bl.n) + bl.count);
    TrackedBuffer meanStore(ctx.meter, bl.count * d), scratch(ctx.meter, perWorker * pool.size());
    MatMap keyMeans(meanStore.data(), bl.count, d);
    blockMeansInto(bl, in.k, keyMeans);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    ScopedSpan span(ctx.profiler, "hierarchical map", SpanCategory::Kernel);
    // One task per cell row, so each task owns its row of the grid and writes it without locks.
    const int64_t height = grid.i1 - grid.i0, width = grid.j1 - grid.j0;
    auto firstOf = [](int64_t cell, int64_t cells, int64_t extent) { return (cell * extent + cells - 1) / cells; };
    pool.parallelFor(0, grid.rows, [&](int64_t r, int worker) {
      ctx.checkCancelled();
      float* base = scratch.data() + perWorker * worker;
      const int64_t a = grid.i0 + firstOf(r, grid.rows, height), e = grid.i0 + firstOf(r + 1, grid.rows, height);
      auto sum = grid.sum.row(r), mx = grid.max.row(r), computed = grid.computed.row(r);
      forEachRun(bl, a, e, [&](int64_t i0, int64_t rows) {
        const int64_t qb = bl.of(i0), s0 = bl.start(qb), len = bl.length(qb);
        MatMap own(base, rows, len), summary(base + rows * len, rows, bl.count);
        runProbabilities(bl, in.q, in.k, keyMeans, scale, spec.causal, i0, rows, own, summary);
        for (int64_t row = 0; row < rows; ++row) {
          // Own block: one value per pair (these pairs are scored one by one, so they count as computed).
          const int64_t ja = std::max(s0, grid.j0), jb = std::min(s0 + len, grid.j1);
          for (int64_t j = ja; j < jb; ++j) {
            const int64_t c = grid.cellCol(j);
            const float p = own(row, j - s0);
            sum(c) += p;
            mx(c) = std::max(mx(c), p);
            if (!spec.causal || j <= i0 + row) computed(c) += 1.0f / static_cast<float>(grid.cellPairs(r, c));
          }
          // Other blocks: a constant P / |c| over the block's columns, added cell by cell.
          for (int64_t blk = 0; blk < bl.count; ++blk) {
            const float p = summary(row, blk);
            if (blk == qb || p == 0.0f) continue;
            const float value = p / static_cast<float>(bl.length(blk));
            const int64_t ca = std::max(bl.start(blk), grid.j0), cb = std::min(bl.start(blk) + bl.length(blk), grid.j1);
            if (ca >= cb) continue;
            for (int64_t c = grid.cellCol(ca); c <= grid.cellCol(cb - 1); ++c) {
              const int64_t c0 = std::max(ca, grid.j0 + firstOf(c, grid.cols, width)), c1 = std::min(cb, grid.j0 + firstOf(c + 1, grid.cols, width));
              sum(c) += value * static_cast<float>(c1 - c0);
              mx(c) = std::max(mx(c), value);
            }
          }
        }
      });
    });
  }

 private:
  static Shape shapeOfHead(const HeadInput& in, bool causal) {
    Shape s;
    s.n = in.q.rows();
    s.d = in.q.cols();
    s.dv = in.v.cols();
    s.causal = causal;
    return s;
  }
  static void checkShapes(const HeadInput& in, int64_t xRows, int64_t outRows) {
    if (in.k.rows() != in.q.rows() || xRows != in.q.rows() || outRows != in.q.rows())
      throw Error(ErrorKind::InvalidArgument, "hierarchical: Q, K, x and out must all have n rows");
  }
};

const RegisterVariant<HierarchicalVariant> registration;

}  // namespace

}  // namespace attnscope
