// Base for mask-based variants: they describe a BlockLayout, and each
// backend's block-sparse kernel does the rest (forward, map probe, transpose).
#pragma once

#include "attention/variant.hpp"

namespace attnscope {

class MaskVariant : public Variant {
 public:
  // Subclasses implement layout() (never returning nullopt) and cost().

  // Workspace of the CPU kernel for a layout with tile edge b: packed K,
  // per-thread scratch, plus the per-row log-sum-exp.
  static double kernelWorkspaceBytes(const AttentionSpec& spec, const Shape& shape, int64_t block);
};

Shape shapeOf(const HeadInput& in, bool causal);

// The layout of a mask-based variant for this head; throws Error(Unsupported)
// for a variant that has none.
BlockLayout layoutForHead(const AttentionSpec& spec, const HeadInput& in);

}  // namespace attnscope
