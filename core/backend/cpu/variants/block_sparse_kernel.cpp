// The CPU kernel of every mask-based variant: the block-sparse kernel driven
// by the variant's BlockLayout (forward, map probe, transposed product).
#include <cmath>

#include "analysis/map_grid.hpp"
#include "attention/mask_variant.hpp"
#include "backend/cpu/block_sparse.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

float scaleOf(const HeadInput& in) { return 1.0f / std::sqrt(static_cast<float>(in.q.cols())); }

// Row log-sum-exps, from a forward pass with no value columns (scores and
// softmax statistics only).
TrackedBuffer rowLse(const ExecContext& ctx, const BlockLayout& layout, const HeadInput& in) {
  TrackedBuffer lse(ctx.meter, layout.n);
  const Mat none(layout.nKeys, 0);
  Mat sink(layout.n, 0);
  blockSparseForward(ctx, layout, in.q, in.k, none, scaleOf(in), sink, lse.data());
  return lse;
}

class BlockSparseKernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    const BlockLayout layout = layoutForHead(spec, in);
    BlockSparseStats stats;
    {
      // No row log-sum-exps: nothing here reads them (a log2 per row, 1% of
      // a window-64 run).
      ScopedSpan span(ctx.profiler, spec.variant + " block-sparse forward", SpanCategory::Kernel);
      stats = blockSparseForward(ctx, layout, in.q, in.k, x, scaleOf(in), out, nullptr);
    }
    HeadExtras extras;
    extras.scalars.emplace_back("tiles_visited", static_cast<double>(stats.tilesVisited));
    extras.scalars.emplace_back("pairs_computed", static_cast<double>(stats.pairsAllowed));
    extras.scalars.emplace_back("tile_edge", static_cast<double>(layout.block));
    return extras;
  }

  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    const BlockLayout layout = layoutForHead(spec, in);
    TrackedBuffer lse = rowLse(ctx, layout, in);
    blockSparseTransposed(ctx, layout, in.q, in.k, scaleOf(in), lse.data(), y, out);
  }

  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    // The probe computes the row log-sum-exps of the region's rows itself, so a
    // zoomed region costs in proportion to its rows.
    const BlockLayout layout = layoutForHead(spec, in);
    ScopedSpan span(ctx.profiler, spec.variant + " map probe", SpanCategory::Kernel);
    blockSparseProbe(ctx, layout, in.q, in.k, scaleOf(in), nullptr, grid);
  }
};

const std::shared_ptr<const HeadKernel> kBlockSparse = std::make_shared<BlockSparseKernel>();
const RegisterCpuKernelInstance registration(kAnyMaskBased, kBlockSparse);

}  // namespace

const HeadKernel& blockSparseKernel() { return *kBlockSparse; }

}  // namespace attnscope
