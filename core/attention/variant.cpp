#include "attention/variant.hpp"

#include <algorithm>

#include "analysis/map_grid.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

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

std::optional<BlockLayout> Variant::layout(const AttentionSpec&, const Shape&, const HeadInput*) const { return std::nullopt; }

namespace {
// Identity columns [c0, c0 + width) of an n x n identity.
Mat identityColumns(int64_t n, int64_t c0, int64_t width) {
  Mat x = Mat::Zero(n, width);
  for (int64_t c = 0; c < width; ++c) x(c0 + c, c) = 1.0f;
  return x;
}
}  // namespace

void Variant::applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const {
  // A^T y, one chunk of A's columns at a time: (A^T y)[j] = sum_i A(i, j) y[i].
  const int64_t n = in.q.rows();
  const int64_t chunk = 256;
  Mat cols(n, chunk);
  for (int64_t c0 = 0; c0 < n; c0 += chunk) {
    ctx.checkCancelled();
    const int64_t w = std::min(chunk, n - c0);
    Mat x = identityColumns(n, c0, w);
    Mat a(n, w);
    apply(ctx, spec, in, x, a);
    out.middleRows(c0, w).noalias() = a.transpose() * y;
  }
}

void Variant::map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const {
  // Columns of A are A * e_j; only the rows inside the region are kept.
  const int64_t chunk = 256;
  const int64_t n = in.q.rows();
  for (int64_t c0 = grid.j0; c0 < grid.j1; c0 += chunk) {
    ctx.checkCancelled();
    const int64_t w = std::min(chunk, grid.j1 - c0);
    Mat x = identityColumns(n, c0, w);
    Mat a(n, w);
    apply(ctx, spec, in, x, a);
    grid.addTile(grid.i0, c0, a.data() + grid.i0 * w, grid.i1 - grid.i0, w, w);
  }
}

}  // namespace attnscope
