// The CPU kernel of hierarchical (meaning in attention/variants/hierarchical.cpp):
// per run of query rows, the own block's scores and the block summaries'
// scores in one softmax.
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/hierarchical.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

using hierarchical::Blocks;
using hierarchical::blocksFor;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

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

class HierarchicalKernel final : public HeadKernel {
 public:
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
    extras.scalars.emplace_back("pairs_computed", VariantRegistry::instance().get("hierarchical").cost(spec, shapeOfHead(in, spec.causal)).pairs);
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


const RegisterCpuKernel<HierarchicalKernel> registration("hierarchical");

}  // namespace

}  // namespace attnscope
