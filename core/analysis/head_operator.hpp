// One head's effective attention operator A, as the analysis sees it: the
// kernel that computes it, with its spec and inputs, and the context it runs in.
#pragma once

#include <cstdint>

#include "attention/variant.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

struct HeadOperator {
  const HeadKernel& kernel;
  const AttentionSpec& spec;
  const HeadInput& input;
  const ExecContext& ctx;

  int64_t n() const { return input.q.rows(); }
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
