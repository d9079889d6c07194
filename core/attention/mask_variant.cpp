#include "attention/mask_variant.hpp"

#include "attention/registry.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"

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

BlockLayout layoutForHead(const AttentionSpec& spec, const HeadInput& in) {
  auto l = VariantRegistry::instance().get(spec.variant).layout(spec, shapeOf(in, spec.causal), &in);
  if (!l) throw Error(ErrorKind::Unsupported, "variant '" + spec.variant + "' did not produce a block layout");
  return std::move(*l);
}

double MaskVariant::kernelWorkspaceBytes(const AttentionSpec& spec, const Shape& shape, int64_t block) {
  // bf16 packs V as well and its tiles pad more rows (tracked bf16 runs at small n were up to 1.6x the fp32 formula).
  const double kernel = spec.precision == Precision::Bf16 ? blockSparseBf16WorkspaceBytes(shape.n, shape.d, shape.dv, block, shape.workers)
                                                          : blockSparseWorkspaceBytes(shape.n, shape.d, shape.dv, block, shape.workers);
  return kernel + 4.0 * static_cast<double>(shape.n);  // the row log-sum-exps of the transposed product
}

}  // namespace attnscope
