#include "attention/mask_variant.hpp"

#include <cmath>

#include "analysis/map_grid.hpp"
#include "backend/cpu/block_sparse.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

Shape shapeOf(const HeadInput& in, bool causal) {
  Shape s;
  s.n = in.q.rows();
  s.d = in.q.cols();
  s.dv = in.v.cols();
  s.heads = 1;
  s.causal = causal;
  return s;
}

BlockLayout MaskVariant::layoutFor(const AttentionSpec& spec, const HeadInput& in) const {
  auto l = layout(spec, shapeOf(in, spec.causal), &in);
  if (!l) throw Error(ErrorKind::Unsupported, "variant '" + info().id + "' did not produce a block layout");
  return std::move(*l);
}

double MaskVariant::kernelWorkspaceBytes(const Shape& shape, int64_t block) {
  return blockSparseWorkspaceBytes(shape.n, shape.d, shape.dv, block, shape.workers) + 4.0 * static_cast<double>(shape.n);
}

HeadExtras MaskVariant::apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const {
  const BlockLayout layout = layoutFor(spec, in);
  TrackedBuffer lse(ctx.meter, layout.n);
  const float scale = 1.0f / std::sqrt(static_cast<float>(in.q.cols()));
  BlockSparseStats stats;
  {
    ScopedSpan span(ctx.profiler, info().id + " block-sparse forward", SpanCategory::Kernel);
    stats = blockSparseForward(ctx, layout, in.q, in.k, x, scale, out, lse.data());
  }
  HeadExtras extras;
  extras.scalars.emplace_back("tiles_visited", static_cast<double>(stats.tilesVisited));
  extras.scalars.emplace_back("pairs_computed", static_cast<double>(stats.pairsAllowed));
  extras.scalars.emplace_back("tile_edge", static_cast<double>(layout.block));
  return extras;
}

namespace {
// Row log-sum-exps, from a forward pass with no value columns (scores and
// softmax statistics only).
TrackedBuffer rowLse(const ExecContext& ctx, const BlockLayout& layout, const HeadInput& in) {
  TrackedBuffer lse(ctx.meter, layout.n);
  const float scale = 1.0f / std::sqrt(static_cast<float>(in.q.cols()));
  const Mat none(layout.nKeys, 0);
  Mat sink(layout.n, 0);
  blockSparseForward(ctx, layout, in.q, in.k, none, scale, sink, lse.data());
  return lse;
}
}  // namespace

void MaskVariant::applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const {
  const BlockLayout layout = layoutFor(spec, in);
  TrackedBuffer lse = rowLse(ctx, layout, in);
  blockSparseTransposed(ctx, layout, in.q, in.k, 1.0f / std::sqrt(static_cast<float>(in.q.cols())), lse.data(), y, out);
}

void MaskVariant::map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const {
  // The probe computes the row log-sum-exps of the region's rows itself, so a
  // zoomed region costs in proportion to its rows.
  const BlockLayout layout = layoutFor(spec, in);
  ScopedSpan span(ctx.profiler, info().id + " map probe", SpanCategory::Kernel);
  blockSparseProbe(ctx, layout, in.q, in.k, 1.0f / std::sqrt(static_cast<float>(in.q.cols())), nullptr, grid);
}

}  // namespace attnscope
