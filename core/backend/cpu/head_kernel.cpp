#include "backend/cpu/head_kernel.hpp"

#include <algorithm>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "common/error.hpp"

namespace attnscope {

CpuKernelTable& cpuKernels() {
  static CpuKernelTable table("cpu");
  return table;
}

CpuKernelTable& cpuKernelsBf16() {
  static CpuKernelTable table("cpu bf16");
  return table;
}

namespace {
const HeadKernel* refuse(std::string* why, const std::string& reason) {
  if (why) *why = reason;
  return nullptr;
}
}  // namespace

const HeadKernel* findCpuKernel(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  switch (spec.precision) {
    case Precision::Fp32: return cpuKernels().choose(spec, shape, why);
    case Precision::Bf16: {
      const Variant* variant = VariantRegistry::instance().find(spec.variant);
      if (variant && !variant->info().maskBased)
        return refuse(why, "bf16 on the CPU runs the mask-based variants only ('" + spec.variant + "' is not mask-based; use fp32)");
      if (!cpuBf16Usable()) return refuse(why, cpuBf16Refusal());
      return cpuKernelsBf16().choose(spec, shape, why);
    }
    case Precision::Fp16: break;
  }
  return refuse(why, std::string("the CPU backend has no ") + precisionName(spec.precision) +
                         " kernels (it computes in fp32, and in bf16 for mask-based variants on CPUs with AVX512-BF16)");
}

const HeadKernel& cpuKernel(const AttentionSpec& spec, const Shape* shape) {
  std::string why;
  if (const HeadKernel* k = findCpuKernel(spec, shape, &why)) return *k;
  throw Error(ErrorKind::Unsupported, "cpu backend: " + why);
}

namespace {
// Identity columns [c0, c0 + width) of an n x n identity.
Mat identityColumns(int64_t n, int64_t c0, int64_t width) {
  Mat x = Mat::Zero(n, width);
  for (int64_t c = 0; c < width; ++c) x(c0 + c, c) = 1.0f;
  return x;
}
}  // namespace

void HeadKernel::applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const {
  // A^T y, one chunk of A's columns at a time: (A^T y)[j] = sum_i A(i, j) y[i].
  const int64_t n = in.q.rows();
  const int64_t chunk = 256;
  for (int64_t c0 = 0; c0 < n; c0 += chunk) {
    ctx.checkCancelled();
    const int64_t w = std::min(chunk, n - c0);
    Mat x = identityColumns(n, c0, w);
    Mat a(n, w);
    apply(ctx, spec, in, x, a);
    out.middleRows(c0, w).noalias() = a.transpose() * y;
  }
}

std::optional<LowRankFactors> HeadKernel::factors(const ExecContext&, const AttentionSpec&, const HeadInput&) const { return std::nullopt; }

void HeadKernel::map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const {
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
