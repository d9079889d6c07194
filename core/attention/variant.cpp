#include "attention/variant.hpp"

#include "common/error.hpp"

namespace attnscope {

const char* precisionName(Precision p) {
  switch (p) {
    case Precision::Fp32: return "fp32";
    case Precision::Fp16: return "fp16";
    case Precision::Bf16: return "bf16";
  }
  return "fp32";
}

Precision parsePrecision(const std::string& text) {
  if (text == "fp32") return Precision::Fp32;
  if (text == "fp16") return Precision::Fp16;
  if (text == "bf16") return Precision::Bf16;
  throw Error(ErrorKind::InvalidArgument, "precision must be fp32, fp16 or bf16, got '" + text + "'");
}

void ExecContext::checkCancelled() const {
  if (cancel) cancel->check();
}

void Variant::validate(const AttentionSpec& spec, const Shape& shape) const {
  if (spec.causal && !info().supportsCausal)
    throw Error(ErrorKind::Unsupported, "variant '" + info().id + "' has no causal form (it mixes every position into its projections)");
  if (shape.n < 1) throw Error(ErrorKind::InvalidArgument, "sequence length n must be at least 1");
  if (shape.d < 1) throw Error(ErrorKind::InvalidArgument, "head width d must be at least 1");
}

CostEstimate predictCost(const Variant& variant, const AttentionSpec& spec, const Shape& shape) {
  if (shape.lanes <= 1) return variant.cost(spec, shape);
  Shape one = shape;
  one.workers = 1;
  one.lanes = 1;
  CostEstimate c = variant.cost(spec, one);
  c.workspaceBytes *= shape.lanes;
  return c;
}

std::optional<BlockLayout> Variant::layout(const AttentionSpec&, const Shape&, const HeadInput*) const { return std::nullopt; }

}  // namespace attnscope
