// The execution context the variant suites call variants with: the shared
// thread pool and a meter the test can read.
#pragma once

#include "attention/variant.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "profiling/profiler.hpp"

namespace attnscope::testing {

inline ExecContext testContext(MemoryMeter* meter) {
  ExecContext ctx;
  ctx.pool = &ThreadPool::shared();
  ctx.meter = meter;
  return ctx;
}

}  // namespace attnscope::testing
