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

double MaskVariant::kernelWorkspaceBytes(const Shape& shape, int64_t block) {
  return blockSparseWorkspaceBytes(shape.n, shape.d, shape.dv, block, shape.workers) + 4.0 * static_cast<double>(shape.n);
}

}  // namespace attnscope
