// The CPU kernel of hierarchical (meaning in attention/variants/hierarchical.cpp):
// per run of query rows, the own block's scores and the block summaries'
// scores in one softmax.
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/hierarchical.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "backend/cpu/variants/small_products.hpp"
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

// One worker's scratch for a run of rows. Scores and weights share one row
// layout, [own block (ownCols) | summaries (summaryCols)], so a single narrow
// product scores both against one panel and one softmax normalises both.
struct RunLayout {
  int64_t ownCols = 0, summaryCols = 0, d = 0, runRows = 0;
  explicit RunLayout(const Blocks& bl, int64_t headDim)
      : ownCols(small::padded(std::min(bl.b, bl.n))), summaryCols(small::padded(bl.count)), d(headDim), runRows(bl.runRows()) {}
  int64_t width() const { return ownCols + summaryCols; }
  // Narrow runs score against a per-worker key panel; wide ones (huge blocks
  // or block counts) let sgemm pack, so the scratch stays bounded.
  bool panelled() const { return width() <= small::kNarrowMaxWidth; }
  int64_t panelFloats() const { return panelled() ? d * width() : 0; }
  int64_t weightFloats() const { return runRows * width(); }
  int64_t perWorker() const { return panelFloats() + weightFloats(); }
};

// Workspace of one call: key means (and value means), the summaries' key
// panel, and per worker a run's key panel and weights.
double workspaceFloats(const Blocks& bl, int64_t d, int64_t dv, int workers) {
  const RunLayout lay(bl, d);
  return static_cast<double>(bl.count * (d + dv) + d * lay.summaryCols) + static_cast<double>(workers) * static_cast<double>(lay.perWorker());
}

// What every run of one call shares: the layout, the scaled summary keys
// transposed (d x summaryCols), and the inputs.
struct RunShared {
  const Blocks& bl;
  RunLayout lay;
  ConstMatRef q, k;
  const float* summaryPanel;
  bool causal;
};

// Weights of the query rows [i0, i0 + rows), all inside block qb, into w
// (rows x width, layout as RunLayout): own keys in columns [0, |qb|), the
// block summaries in [ownCols, ownCols + count), normalised together; masked
// and padding entries are exactly 0. panel is the worker's key panel scratch.
void runProbabilities(const RunShared& sh, int64_t i0, int64_t rows, float* panel, float* w) {
  const Blocks& bl = sh.bl;
  const RunLayout& lay = sh.lay;
  const int64_t qb = bl.of(i0), s0 = bl.start(qb), len = bl.length(qb), W = lay.width();
  const float scale = 1.0f / std::sqrt(static_cast<float>(lay.d));
  const float* q = sh.q.data() + i0 * sh.q.outerStride();
  if (lay.panelled()) {
    // Panel: the own block's keys (scaled, transposed), then a copy of the summary keys.
    small::transposeScaled(sh.k.middleRows(s0, len), scale, panel, W, lay.ownCols);
    for (int64_t c = 0; c < lay.d; ++c) std::copy_n(sh.summaryPanel + c * lay.summaryCols, lay.summaryCols, panel + c * W + lay.ownCols);
    small::product(rows, W, lay.d, q, sh.q.outerStride(), 1, panel, W, w, W);
  } else {
    sgemm(false, true, rows, len, lay.d, scale, q, sh.q.outerStride(), sh.k.data() + s0 * sh.k.outerStride(), sh.k.outerStride(), 0.0f, w, W);
    small::product(rows, lay.summaryCols, lay.d, q, sh.q.outerStride(), 1, sh.summaryPanel, lay.summaryCols, w + lay.ownCols, W);
  }
  for (int64_t r = 0; r < rows; ++r) {
    float* row = w + r * W;
    // Own keys past the block (or past i when causal), the own block's summary, and later summaries when causal.
    const int64_t ownEnd = sh.causal ? i0 + r - s0 + 1 : len, summaryEnd = sh.causal ? qb : bl.count;
    std::fill(row + ownEnd, row + lay.ownCols, kNegInf);
    row[lay.ownCols + qb] = kNegInf;
    std::fill(row + lay.ownCols + summaryEnd, row + W, kNegInf);
  }
  small::softmaxRows(w, rows, W, W);
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

// What apply, applyTransposed and map set up per head: the block means, the
// summaries' key panel and every worker's run scratch, all tracked.
struct HeadSetup {
  RunLayout lay;
  TrackedBuffer means, summaryPanel, scratch;
  MatMap keyMeans, valueMeans;
  RunShared shared;
  HeadSetup(const ExecContext& ctx, const Blocks& bl, const HeadInput& in, ConstMatRef values, bool causal, int workers)
      : lay(bl, in.q.cols()), means(ctx.meter, bl.count * (in.q.cols() + values.cols())), summaryPanel(ctx.meter, in.q.cols() * lay.summaryCols),
        scratch(ctx.meter, workers * lay.perWorker()), keyMeans(means.data(), bl.count, in.q.cols()),
        valueMeans(means.data() + bl.count * in.q.cols(), bl.count, values.cols()), shared{bl, lay, in.q, in.k, summaryPanel.data(), causal} {
    blockMeansInto(bl, in.k, keyMeans);
    if (values.cols() > 0) blockMeansInto(bl, values, valueMeans);
    small::transposeScaled(keyMeans, 1.0f / std::sqrt(static_cast<float>(in.q.cols())), summaryPanel.data(), lay.summaryCols, lay.summaryCols);
  }
  float* panel(int worker) { return scratch.data() + worker * lay.perWorker(); }
  float* weights(int worker) { return panel(worker) + lay.panelFloats(); }
};

class HierarchicalKernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    checkShapes(in, x.rows(), out.rows());
    const Blocks bl = blocksFor(spec, in.q.rows());
    const int64_t dv = x.cols();
    ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
    ScopedSpan span(ctx.profiler, "hierarchical forward", SpanCategory::Kernel);
    HeadSetup setup(ctx, bl, in, x, spec.causal, pool.size());
    const int64_t runRows = setup.lay.runRows, W = setup.lay.width(), ownCols = setup.lay.ownCols;
    // One task per run of query rows; each writes only its own rows of out.
    const int64_t runsPerBlock = (bl.b + runRows - 1) / runRows;
    pool.parallelFor(0, bl.count * runsPerBlock, [&](int64_t task, int worker) {
      ctx.checkCancelled();
      const int64_t qb = task / runsPerBlock, s0 = bl.start(qb), i0 = s0 + (task % runsPerBlock) * runRows;
      const int64_t len = bl.length(qb), blockEnd = s0 + len;
      if (i0 >= blockEnd) return;
      const int64_t rows = std::min(runRows, blockEnd - i0);
      float* w = setup.weights(worker);
      runProbabilities(setup.shared, i0, rows, setup.panel(worker), w);
      float* o = out.data() + i0 * out.outerStride();
      small::product(rows, dv, len, w, W, 1, x.data() + s0 * x.outerStride(), x.outerStride(), o, out.outerStride());
      small::product(rows, dv, bl.count, w + ownCols, W, 1, setup.valueMeans.data(), dv, o, out.outerStride(), true);
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
    const int64_t cols = y.cols();
    ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
    const int workers = pool.size();
    HeadSetup setup(ctx, bl, in, y.leftCols(0), spec.causal, workers);
    const int64_t W = setup.lay.width(), ownCols = setup.lay.ownCols;
    TrackedBuffer toSummaries(ctx.meter, workers * bl.count * cols);
    std::fill(toSummaries.data(), toSummaries.data() + toSummaries.size(), 0.0f);
    out.setZero();
    // One task per block: the own-block part writes only that block's rows of out.
    pool.parallelFor(0, bl.count, [&](int64_t qb, int worker) {
      ctx.checkCancelled();
      float* z = toSummaries.data() + worker * bl.count * cols;
      float* w = setup.weights(worker);
      const int64_t s0 = bl.start(qb), len = bl.length(qb);
      forEachRun(bl, s0, s0 + len, [&](int64_t i0, int64_t rows) {
        runProbabilities(setup.shared, i0, rows, setup.panel(worker), w);
        // The weights read transposed (row stride 1, column stride W).
        const float* yRun = y.data() + i0 * y.outerStride();
        small::product(len, cols, rows, w, 1, W, yRun, y.outerStride(), out.data() + s0 * out.outerStride(), out.outerStride(), true);
        small::product(bl.count, cols, rows, w + ownCols, 1, W, yRun, y.outerStride(), z, cols, true);
      });
    });
    for (int w = 1; w < workers; ++w) MatMap(toSummaries.data(), bl.count, cols) += MatMap(toSummaries.data() + w * bl.count * cols, bl.count, cols);
    const MatMap z(toSummaries.data(), bl.count, cols);
    for (int64_t c = 0; c < bl.count; ++c) out.middleRows(bl.start(c), bl.length(c)).rowwise() += z.row(c) / static_cast<float>(bl.length(c));
  }

  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const Blocks bl = blocksFor(spec, in.q.rows());
    ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
    HeadSetup setup(ctx, bl, in, in.v.leftCols(0), spec.causal, pool.size());
    const int64_t W = setup.lay.width(), ownCols = setup.lay.ownCols;
    ScopedSpan span(ctx.profiler, "hierarchical map", SpanCategory::Kernel);
    // One task per cell row, so each task owns its row of the grid and writes it without locks.
    const int64_t height = grid.i1 - grid.i0, width = grid.j1 - grid.j0;
    auto firstOf = [](int64_t cell, int64_t cells, int64_t extent) { return (cell * extent + cells - 1) / cells; };
    pool.parallelFor(0, grid.rows, [&](int64_t r, int worker) {
      ctx.checkCancelled();
      float* w = setup.weights(worker);
      const int64_t a = grid.i0 + firstOf(r, grid.rows, height), e = grid.i0 + firstOf(r + 1, grid.rows, height);
      auto sum = grid.sum.row(r), mx = grid.max.row(r), computed = grid.computed.row(r);
      forEachRun(bl, a, e, [&](int64_t i0, int64_t rows) {
        const int64_t qb = bl.of(i0), s0 = bl.start(qb), len = bl.length(qb);
        runProbabilities(setup.shared, i0, rows, setup.panel(worker), w);
        for (int64_t row = 0; row < rows; ++row) {
          const float* own = w + row * W;
          const float* summary = own + ownCols;
          // Own block: one value per pair (these pairs are scored one by one, so they count as computed).
          const int64_t ja = std::max(s0, grid.j0), jb = std::min(s0 + len, grid.j1);
          for (int64_t j = ja; j < jb; ++j) {
            const int64_t c = grid.cellCol(j);
            const float p = own[j - s0];
            sum(c) += p;
            mx(c) = std::max(mx(c), p);
            if (!spec.causal || j <= i0 + row) computed(c) += 1.0f / static_cast<float>(grid.cellPairs(r, c));
          }
          // Other blocks: a constant P / |c| over the block's columns, added cell by cell.
          for (int64_t blk = 0; blk < bl.count; ++blk) {
            const float p = summary[blk];
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

double hierarchicalWorkspaceBytes(const AttentionSpec& spec, const Shape& s) {
  const Blocks bl = blocksFor(spec, std::max<int64_t>(s.n, 1));
  return 4.0 * workspaceFloats(bl, s.d, s.dv, std::max(1, s.workers));
}

}  // namespace attnscope
