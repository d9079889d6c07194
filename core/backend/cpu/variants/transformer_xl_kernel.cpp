// The CPU kernel of transformer_xl (meaning in attention/variants/transformer_xl.cpp):
// relative=false on the block-sparse kernel over the variant's layout;
// relative=true per query block with the distance table, on the ISA's GEMM.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "attention/variants/transformer_xl.hpp"
#include "backend/cpu/block_sparse.hpp"
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

using namespace transformer_xl;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

// The relative-position path: one query block's weights over keys [jlo, jlo + width).
// Scores are narrow products against transposed panels (small_products.hpp):
// the scaled distance table once per call, the block's scaled keys per block.
class RelativeScores {
 public:
  RelativeScores(const ExecContext& ctx, const XlShape& x, const HeadInput& in)
      : x_(x), in_(in), d_(in.q.cols()), width_(x.maxWidth()), ld_(small::padded(width_)), workers_(poolOf(ctx).size()),
        tableBuf_(ctx.meter, d_ * ld_), scratch_(ctx.meter, workers_ * perWorker(d_, ld_)), scale_(1.0f / std::sqrt(static_cast<float>(d_))) {
    // Distances in reverse (column t holds s R(ld - 1 - t)), so that along a
    // row of scores, whose distance i - j falls as j rises, the position
    // scores are read forwards and added as a vector.
    const Mat table = transformerXlRelativeTable(ld_, d_);
    small::transposeScaled(table.colwise().reverse(), scale_, tableBuf_.data(), ld_, ld_);
    transformerXlBiases(d_, u_, v_);
  }

  static double workspaceFloats(const XlShape& x, int64_t d, int workers) {
    const int64_t ld = small::padded(x.maxWidth());
    return static_cast<double>(d * ld) + static_cast<double>(workers) * static_cast<double>(perWorker(d, ld));
  }

  struct Block {
    int64_t i0, rows, jlo, width, ld;
    const float* p;  // [rows x width], row stride ld
  };

  Block weights(int64_t qb, int worker) const {
    float* base = scratch_.data() + worker * perWorker(d_, ld_);
    const int64_t i0 = qb * kTile, rows = std::min(kTile, x_.n - i0);
    const int64_t jlo = x_.lowest(i0), width = i0 + rows - jlo, ld = small::padded(width);
    float *qu = base, *qv = qu + kTile * d_, *keys = qv + kTile * d_, *p = keys + d_ * ld_, *pos = p + kTile * ld_;
    for (int64_t r = 0; r < rows; ++r) {
      const float* q = in_.q.data() + (i0 + r) * in_.q.outerStride();
      for (int64_t c = 0; c < d_; ++c) {
        qu[r * d_ + c] = q[c] + u_(c);
        qv[r * d_ + c] = q[c] + v_(c);
      }
    }
    small::transposeScaled(in_.k.middleRows(jlo, width), scale_, keys, ld, ld);
    small::product(rows, ld, d_, qu, d_, 1, keys, ld, p, ld);            // s (q_i + u) . k_j
    // Reversed distances ld_ - width .. ld_ - 1 (from a 16-column boundary): pos(r, t) = s (q_i + v) . R(ld_ - 1 - t).
    const int64_t t0 = (ld_ - width) / 16 * 16;
    small::product(rows, ld_ - t0, d_, qv, d_, 1, tableBuf_.data() + t0, ld_, pos, ld_ - t0);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r, lo = x_.lowest(i) - jlo, hi = i - jlo;  // allowed columns [lo, hi]
      float* row = p + r * ld;
      // Column c is distance hi - c, at reversed index ld_ - 1 - hi + c.
      const float* posRow = pos + r * (ld_ - t0) + (ld_ - 1 - hi - t0);
      std::fill(row, row + lo, kNegInf);
      small::addInto(row + lo, posRow + lo, hi + 1 - lo);
      std::fill(row + hi + 1, row + width, kNegInf);
    }
    small::softmaxRows(p, rows, width, ld);
    return Block{i0, rows, jlo, width, ld, p};
  }

 private:
  // Biased queries (2 x kTile x d), the block's key panel (d x ld) and its scores and distance scores (2 x kTile x ld).
  static int64_t perWorker(int64_t d, int64_t ld) { return 2 * kTile * d + d * ld + 2 * kTile * ld; }
  XlShape x_;
  const HeadInput& in_;
  int64_t d_, width_, ld_;
  int workers_;
  TrackedBuffer tableBuf_;
  mutable TrackedBuffer scratch_;
  float scale_;
  RowVec u_, v_;
};

class TransformerXlKernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef xin, MatRef out) const override {
    const int64_t n = in.q.rows();
    VariantRegistry::instance().get("transformer_xl").validate(spec, Shape{n, in.q.cols(), in.v.cols(), 1, spec.causal, 1});
    const XlShape x = xlShapeOf(spec, n);
    std::vector<double> memoryPerQuery(static_cast<size_t>(n), 0.0);
    HeadExtras extras;
    if (x.relative) {
      ScopedSpan span(ctx.profiler, "transformer_xl relative scores", SpanCategory::Kernel);
      const RelativeScores scores(ctx, x, in);
      poolOf(ctx).parallelFor(0, (n + kTile - 1) / kTile, [&](int64_t qb, int worker) {
        ctx.checkCancelled();
        const RelativeScores::Block blk = scores.weights(qb, worker);
        small::product(blk.rows, xin.cols(), blk.width, blk.p, blk.ld, 1, xin.data() + blk.jlo * xin.outerStride(), xin.outerStride(),
                       out.data() + blk.i0 * out.outerStride(), out.outerStride());
        for (int64_t r = 0; r < blk.rows; ++r) {
          const int64_t memoryCols = x.segmentStart(blk.i0 + r) - blk.jlo;
          if (memoryCols > 0) memoryPerQuery[static_cast<size_t>(blk.i0 + r)] = small::sum(blk.p + r * blk.ld, memoryCols);
        }
      });
    } else {
      const BlockLayout layout = xlLayout(x);
      const float scale = 1.0f / std::sqrt(static_cast<float>(in.q.cols()));
      TrackedBuffer lse(ctx.meter, n);
      BlockSparseStats stats;
      {
        ScopedSpan span(ctx.profiler, "transformer_xl block-sparse forward", SpanCategory::Kernel);
        stats = blockSparseForward(ctx, layout, in.q, in.k, xin, scale, out, lse.data());
      }
      extras.scalars.emplace_back("tiles_visited", static_cast<double>(stats.tilesVisited));
      extras.scalars.emplace_back("pairs_computed", static_cast<double>(stats.pairsAllowed));
      extras.scalars.emplace_back("tile_edge", static_cast<double>(layout.block));
      if (x.memory > 0) {
        // Mass on memory = 1 - mass on the own segment = 1 - exp(lse_segment - lse).
        ScopedSpan span(ctx.profiler, "transformer_xl memory mass", SpanCategory::Kernel);
        XlShape local = x;
        local.memory = 0;
        TrackedBuffer lseLocal(ctx.meter, n);
        Mat ones = Mat::Ones(n, 1), sink(n, 1);
        blockSparseForward(ctx, xlLayout(local), in.q, in.k, ones, scale, sink, lseLocal.data());
        for (int64_t i = 0; i < n; ++i)
          if (x.segmentStart(i) > 0) memoryPerQuery[static_cast<size_t>(i)] = std::max(0.0, 1.0 - std::exp(static_cast<double>(lseLocal.data()[i]) - lse.data()[i]));
      }
    }
    for (int64_t a = 0; a < n; a += x.segment) {
      const int64_t len = std::min(x.segment, n - a);
      double sum = 0;
      for (int64_t i = a; i < a + len; ++i) sum += memoryPerQuery[static_cast<size_t>(i)];
      extras.memoryMass.push_back(sum / static_cast<double>(len));
    }
    extras.scalars.emplace_back("segments", static_cast<double>(x.segments()));
    if (!spec.causal) extras.notes.push_back("transformer_xl is causal by construction (its memory holds earlier positions only)");
    return extras;
  }

  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    const XlShape x = xlShapeOf(spec, in.q.rows());
    if (!x.relative) return blockSparseKernel().applyTransposed(ctx, spec, in, y, out);
    const RelativeScores scores(ctx, x, in);
    out.setZero();
    for (int64_t qb = 0; qb < (x.n + kTile - 1) / kTile; ++qb) {  // serial: blocks overlap in keys
      ctx.checkCancelled();
      const RelativeScores::Block blk = scores.weights(qb, 0);
      // The weights read transposed (row stride 1, column stride ld).
      small::product(blk.width, y.cols(), blk.rows, blk.p, 1, blk.ld, y.data() + blk.i0 * y.outerStride(), y.outerStride(),
                     out.data() + blk.jlo * out.outerStride(), out.outerStride(), true);
    }
  }

  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const XlShape x = xlShapeOf(spec, in.q.rows());
    if (!x.relative) return blockSparseKernel().map(ctx, spec, in, grid);
    ScopedSpan span(ctx.profiler, "transformer_xl map", SpanCategory::Kernel);
    const RelativeScores scores(ctx, x, in);
    std::vector<std::vector<uint8_t>> allowed(static_cast<size_t>(poolOf(ctx).size()));
    poolOf(ctx).parallelFor(grid.i0 / kTile, (grid.i1 - 1) / kTile + 1, [&](int64_t qb, int worker) {
      ctx.checkCancelled();
      const RelativeScores::Block blk = scores.weights(qb, worker);
      grid.addTile(blk.i0, blk.jlo, blk.p, blk.rows, blk.width, blk.ld);
      std::vector<uint8_t>& ok = allowed[static_cast<size_t>(worker)];
      ok.assign(static_cast<size_t>(blk.rows * blk.width), 0);
      for (int64_t r = 0; r < blk.rows; ++r)
        for (int64_t j = x.lowest(blk.i0 + r); j <= blk.i0 + r; ++j) ok[static_cast<size_t>(r * blk.width + j - blk.jlo)] = 1;
      grid.addComputed(blk.i0, blk.jlo, ok.data(), blk.rows, blk.width, blk.width);
    });
  }
};

const RegisterCpuKernel<TransformerXlKernel> registration("transformer_xl");

}  // namespace

double transformerXlWorkspaceBytes(const AttentionSpec& spec, const Shape& s) {
  const XlShape x = xlShapeOf(spec, std::max<int64_t>(s.n, 1));
  if (x.relative) return 4.0 * RelativeScores::workspaceFloats(x, s.d, s.workers);
  // The block-sparse kernel's own scratch (packed K included), or the memory-mass pass (one value column) with its row sums.
  Shape one = s;
  one.dv = 1;
  return std::max(MaskVariant::kernelWorkspaceBytes(spec, s, kTile), 4.0 * static_cast<double>(s.n) + MaskVariant::kernelWorkspaceBytes(spec, one, kTile));
}

}  // namespace attnscope
