// One head's effective attention operator A, as the analysis sees it: A X,
// A^T Y and A over a region, whichever backend computes them. The CPU's
// comes from its HeadKernel (CpuHeadOperator); another backend offers its own
// through Backend::headOperator, so maps and spectra of long sequences come
// from the device the variant ran on.
#pragma once

#include <cstdint>
#include <string>

#include "analysis/map_grid.hpp"
#include "attention/variant.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

class HeadOperator {
 public:
  virtual ~HeadOperator() = default;
  virtual int64_t n() const = 0;
  virtual const AttentionSpec& spec() const = 0;
  // The host side: worker pool, meter for host bytes, cancel token.
  virtual const ExecContext& ctx() const = 0;
  // Where A is computed ("cpu", "cuda"), for the result's notes.
  virtual std::string device() const = 0;
  // out = A x (x: n x c, any c).
  virtual void apply(ConstMatRef x, MatRef out) const = 0;
  // out = A^T y.
  virtual void applyTransposed(ConstMatRef y, MatRef out) const = 0;
  // Accumulates A over the grid's region into grid (sum, max, computed).
  virtual void map(MapGrid& grid) const = 0;
  // The head's extras (scalars, notes) where the operator keeps them, else nullptr.
  virtual const HeadExtras* extras() const { return nullptr; }
};

// The CPU's operator: the variant's HeadKernel on one head's inputs.
class CpuHeadOperator final : public HeadOperator {
 public:
  CpuHeadOperator(const HeadKernel& kernel, const AttentionSpec& spec, const HeadInput& input, const ExecContext& ctx)
      : kernel_(kernel), spec_(spec), input_(input), ctx_(ctx) {}
  int64_t n() const override { return input_.q.rows(); }
  const AttentionSpec& spec() const override { return spec_; }
  const ExecContext& ctx() const override { return ctx_; }
  std::string device() const override { return "cpu"; }
  void apply(ConstMatRef x, MatRef out) const override { kernel_.apply(ctx_, spec_, input_, x, out); }
  void applyTransposed(ConstMatRef y, MatRef out) const override { kernel_.applyTransposed(ctx_, spec_, input_, y, out); }
  void map(MapGrid& grid) const override { kernel_.map(ctx_, spec_, input_, grid); }

 private:
  const HeadKernel& kernel_;
  const AttentionSpec& spec_;
  const HeadInput& input_;
  const ExecContext& ctx_;
};

// Charges bytes held outside TrackedBuffers (map grids, dense copies of A) to
// a meter for as long as the charge lives, so the measured peak includes them.
class MeterCharge {
 public:
  MeterCharge(MemoryMeter* meter, int64_t bytes) : meter_(meter), bytes_(bytes) {
    if (meter_) meter_->add(bytes_);
  }
  ~MeterCharge() {
    if (meter_) meter_->sub(bytes_);
  }
  MeterCharge(const MeterCharge&) = delete;
  MeterCharge& operator=(const MeterCharge&) = delete;

 private:
  MemoryMeter* meter_;
  int64_t bytes_;
};

// Bytes of a grid's three arrays (sum, max, computed).
inline int64_t gridBytes(int64_t rows, int64_t cols) { return 3 * 4 * rows * cols; }

}  // namespace attnscope
