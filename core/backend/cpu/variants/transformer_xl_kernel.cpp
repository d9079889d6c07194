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
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

using namespace transformer_xl;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

// The relative-position path: one query block's weights over keys [jlo, jlo + width).
class RelativeScores {
 public:
  RelativeScores(const ExecContext& ctx, const XlShape& x, const HeadInput& in)
      : x_(x), in_(in), d_(in.q.cols()), width_(x.maxWidth()), workers_(poolOf(ctx).size()),
        tableBuf_(ctx.meter, width_ * d_), table_(tableBuf_.data(), width_, d_),
        scratch_(ctx.meter, workers_ * perWorker()), scale_(1.0f / std::sqrt(static_cast<float>(d_))) {
    table_ = transformerXlRelativeTable(width_, d_);
    transformerXlBiases(d_, u_, v_);
  }

  static double workspaceFloats(const XlShape& x, int64_t d, int workers) {
    return static_cast<double>(x.maxWidth() * d) + static_cast<double>(workers) * static_cast<double>(2 * kTile * d + 2 * kTile * x.maxWidth());
  }

  struct Block {
    int64_t i0, rows, jlo, width;
    MatMap p;  // [rows x width], stride width
  };

  Block weights(int64_t qb, int worker) const {
    float* base = scratch_.data() + worker * perWorker();
    const int64_t i0 = qb * kTile, rows = std::min(kTile, x_.n - i0);
    const int64_t jlo = x_.lowest(i0), width = i0 + rows - jlo;
    MatMap qu(base, rows, d_), qv(base + kTile * d_, rows, d_);
    MatMap p(base + 2 * kTile * d_, rows, width), pos(base + 2 * kTile * d_ + kTile * width_, rows, width);
    qu = in_.q.middleRows(i0, rows).rowwise() + u_;
    qv = in_.q.middleRows(i0, rows).rowwise() + v_;
    // The ISA's GEMM and exp, not Eigen's: this build compiles Eigen for SSE2,
    // which left this path at ~35 GFLOP/s, slower than dense at n <= 2048.
    sgemm(qu, in_.k.middleRows(jlo, width), p, false, true);
    sgemm(qv, table_.topRows(width), pos, false, true);  // pos(r, t) = (q_i + v) . R(t)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r, lo = x_.lowest(i);
      float mx = kNegInf;
      float* row = p.data() + r * width;
      const float* posRow = pos.data() + r * width;
      for (int64_t c = 0; c < width; ++c) {
        const int64_t j = jlo + c;
        row[c] = (j < lo || j > i) ? kNegInf : scale_ * (row[c] + posRow[i - j]);
        mx = std::max(mx, row[c]);
      }
      // Weights below e^-80 of the row's largest are 0 (as exp rounds them anyway).
      expShiftedFloor(row, width, mx, 80.0f);
      float sum = 0;
      for (int64_t c = 0; c < width; ++c) sum += row[c];
      const float inv = 1.0f / sum;
      for (int64_t c = 0; c < width; ++c) row[c] *= inv;
    }
    return Block{i0, rows, jlo, width, p};
  }

 private:
  int64_t perWorker() const { return 2 * kTile * d_ + 2 * kTile * width_; }
  XlShape x_;
  const HeadInput& in_;
  int64_t d_, width_;
  int workers_;
  TrackedBuffer tableBuf_;
  MatMap table_;
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
        // Narrow outputs (dv columns): the packed GEMM's packing costs more than the product here.
        if (!narrowProduct(blk.rows, xin.cols(), blk.width, blk.p.data(), blk.width, 1, xin.data() + blk.jlo * xin.outerStride(), xin.outerStride(),
                           out.data() + blk.i0 * out.outerStride(), out.outerStride()))
          sgemm(blk.p, xin.middleRows(blk.jlo, blk.width), out.middleRows(blk.i0, blk.rows));
        for (int64_t r = 0; r < blk.rows; ++r) {
          const int64_t memoryCols = x.segmentStart(blk.i0 + r) - blk.jlo;
          if (memoryCols > 0) memoryPerQuery[static_cast<size_t>(blk.i0 + r)] = blk.p.row(r).head(memoryCols).sum();
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
      out.middleRows(blk.jlo, blk.width).noalias() += blk.p.transpose() * y.middleRows(blk.i0, blk.rows);
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
      grid.addTile(blk.i0, blk.jlo, blk.p.data(), blk.rows, blk.width, blk.width);
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
  return std::max(MaskVariant::kernelWorkspaceBytes(s, kTile), 4.0 * static_cast<double>(s.n) + MaskVariant::kernelWorkspaceBytes(one, kTile));
}

}  // namespace attnscope
