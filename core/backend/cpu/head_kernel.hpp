// How the CPU backend runs one variant on one head. The CPU kernels register
// themselves in cpuKernels() from their own files (backend/cpu/variants/);
// the backend, the analysis and the tests reach them through cpuKernel().
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "attention/low_rank_factors.hpp"
#include "attention/variant.hpp"
#include "backend/kernel_table.hpp"

namespace attnscope {

class HeadKernel {
 public:
  virtual ~HeadKernel() = default;

  // out = A(q, k, v) * x for one head, where A is the variant's effective
  // attention operator. Forward is apply(x = v). x may have any number of
  // columns (the spectrum uses this as a matrix-free operator).
  virtual HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const = 0;

  // out = A^T * y. Default: explicit columns of A through apply (slow; kernels override).
  virtual void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const;

  // Accumulates A over the grid's region into grid (sum and max per cell).
  // Default: apply() on identity column chunks.
  virtual void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const;

  // A as factors (attention/low_rank_factors.hpp) for the variants formed
  // through them, so a device can form their map; nullopt for the others.
  virtual std::optional<LowRankFactors> factors(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in) const;
};

using CpuKernelTable = KernelTable<HeadKernel>;
CpuKernelTable& cpuKernels();
// The bf16 kernels (mask-based variants only, on AVX512-BF16), consulted by
// findCpuKernel when spec.precision is bf16.
CpuKernelTable& cpuKernelsBf16();

// The CPU kernel for spec (shape when known), or nullptr with why: fp32 from
// cpuKernels(), bf16 from cpuKernelsBf16() where the CPU can run it, fp16 never.
const HeadKernel* findCpuKernel(const AttentionSpec& spec, const Shape* shape, std::string* why);
// The same, throwing Error(Unsupported) "cpu backend: why" when there is none.
const HeadKernel& cpuKernel(const AttentionSpec& spec, const Shape* shape = nullptr);

// How many heads the CPU backend runs side by side for this shape (1: one
// after another, each on every worker). Short inputs run a head per worker.
int cpuHeadLanes(const Shape& shape);

// The block-sparse kernel every mask-based variant runs on (driven by the
// variant's layout for the head); other kernels delegate to it for their
// mask-only forms.
const HeadKernel& blockSparseKernel();

// Static registration from a kernel's own file:
//   const RegisterCpuKernel<MyKernel> reg("my_variant");
// These register fp32 kernels; bf16 ones add themselves to cpuKernelsBf16().
struct RegisterCpuKernelInstance {
  RegisterCpuKernelInstance(const std::string& variant, std::shared_ptr<const HeadKernel> kernel, KernelPredicate accepts = {}) {
    cpuKernels().add(variant, std::move(kernel), std::move(accepts));
  }
};
template <typename T>
struct RegisterCpuKernel : RegisterCpuKernelInstance {
  explicit RegisterCpuKernel(const std::string& variant, KernelPredicate accepts = {})
      : RegisterCpuKernelInstance(variant, std::make_shared<T>(), std::move(accepts)) {}
};

}  // namespace attnscope
