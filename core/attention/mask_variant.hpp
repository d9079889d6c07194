// Base for mask-based variants: they describe a BlockLayout, and the shared
// block-sparse kernel does the rest (forward, map probe, transpose).
#pragma once

#include "attention/variant.hpp"

namespace attnscope {

class MaskVariant : public Variant {
 public:
  // Subclasses implement layout() (never returning nullopt) and cost().
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override;
  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override;
  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override;

  // Workspace of the kernel for a layout with tile edge b: packed K, per-thread
  // scratch, plus the per-row log-sum-exp.
  static double kernelWorkspaceBytes(const Shape& shape, int64_t block);

 protected:
  BlockLayout layoutFor(const AttentionSpec& spec, const HeadInput& in) const;
};

Shape shapeOf(const HeadInput& in, bool causal);

}  // namespace attnscope
