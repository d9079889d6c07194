// Timing and tracing one low-rank forward on CUDA (linformer, performer).
// Its launches are grouped in named phases (e.g. "projections", "flash on
// k keys"); every launch runs inside a CorrelationScope with the phase's own
// external id, so CUPTI's records say which phase each kernel belongs to,
// including the several kernels one cuBLAS call may launch. Uploads and
// allocations run under a separate setup id: they appear in the trace but
// not in the forward's time.
//
// With CUPTI: elapsedMs is the sum of the phases' kernel durations; each
// kernel span gets its phase's flops (from the variant's cost model) in
// proportion to its duration. Without CUPTI: cudaEvents around each phase,
// one span per phase, and cuptiFallbackNote in the result.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend.hpp"
#include "cupti_profiler.hpp"
#include "device_buffer.hpp"
#include "profiling/profiler.hpp"

namespace attnscope::kernels {

// RAII over a cudaEvent_t.
class CudaEvent {
 public:
  CudaEvent() { checkCuda(cudaEventCreate(&event_), "cudaEventCreate"); }
  ~CudaEvent() {
    if (event_) cudaEventDestroy(event_);
  }
  CudaEvent(CudaEvent&& o) noexcept : event_(std::exchange(o.event_, nullptr)) {}
  CudaEvent& operator=(CudaEvent&&) = delete;
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// Per-head host matrices (all [rows x cols]) into one contiguous device
// array [heads, padRows, cols]; rows past `rows` are zero.
DeviceArray<float> uploadHeads(const std::vector<Mat>& heads, int64_t padRows, MemoryMeter* meter);

// Rows [0, rows) of each head of a device array [heads, padRows, cols], back as host matrices.
std::vector<Mat> downloadHeads(const float* device, int heads, int64_t rows, int64_t padRows, int64_t cols);

class LowRankRun {
 public:
  // prefix names the variant in span names ("linformer", "performer").
  LowRankRun(std::string prefix, const RunOptions& options);

  // Allocations and copies (inputs, cached weights, outputs back).
  template <typename Fn>
  decltype(auto) setup(Fn&& fn) {
    CorrelationScope scope(setupId_);
    return fn();
  }

  // One timed phase on the default stream; flops is the cost model's share for it.
  template <typename Fn>
  void phase(const std::string& name, double flops, Fn&& fn) {
    if (options_.cancel) options_.cancel->check();
    Phase p{name, flops, CuptiProfiler::newExternalId(), CudaEvent()};
    checkCuda(cudaEventRecord(p.start.get()), "cudaEventRecord");
    phases_.push_back(std::move(p));
    CorrelationScope scope(phases_.back().id);
    fn();
  }

  // Waits for the last phase to finish (CUDA errors surface here).
  void finishCompute();

  // elapsedMs, trace (spans, memory timeline, peak device bytes) and the
  // CUPTI notes into result; result.extras must already have one entry per head.
  void fillResult(AttentionResult& result, const MemoryMeter& meter);

 private:
  struct Phase {
    std::string name;
    double flops;
    uint64_t id;
    CudaEvent start;
  };
  std::string prefix_;
  const RunOptions& options_;
  bool traced_ = false;
  std::string cuptiWhy_;
  uint64_t setupId_ = 0;
  std::vector<Phase> phases_;
  CudaEvent stop_;
  bool stopped_ = false;
};

}  // namespace attnscope::kernels
