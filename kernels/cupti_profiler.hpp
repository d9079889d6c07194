// Device-side timing and memory through the CUPTI Activity API: kernel,
// memcpy, memset, memory (allocation/free) and overhead records, collected
// into CUPTI buffers of a few MiB and flushed only when asked, so flushing
// stays outside timed regions. Launches are tied to a run or phase by an
// external correlation id pushed around them (CorrelationScope).
//
// Where CUPTI cannot be enabled (no device, insufficient privileges, another
// profiler attached) enable() says why, and callers time with cudaEvents and
// put cuptiFallbackNote(why) into the result.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cupti_records.hpp"

namespace attnscope::kernels {

class CuptiProfiler {
 public:
  // CUPTI's activity callbacks are process-wide, so there is one profiler.
  static CuptiProfiler& instance();

  // Enables collection (once; later calls return the first answer). Needs a
  // CUDA device; false with why where CUPTI refuses.
  bool enable(std::string* why = nullptr);
  bool enabled() const { return enabled_; }
  // Stops and restarts collection of every activity kind enable() turned on
  // (for measuring what tracing costs); no-ops where CUPTI is not enabled.
  void pause();
  void resume();
  const std::string& unavailableReason() const { return reason_; }

  // Forces CUPTI to hand over every buffered record and returns all records
  // since the last take, with their external ids resolved. Blocks briefly:
  // call it after the timed region, never inside.
  CuptiRecords flushAndTake();

  // Added to CUPTI timestamps to put them on the trace clock (traceClockNs).
  int64_t clockOffsetNs() const { return clockOffsetNs_; }

  // A fresh process-unique id for a run, repeat or phase.
  static uint64_t newExternalId();

  // Called from CUPTI's buffer-completed callback (public for that callback only).
  void parseBuffer(uint8_t* buffer, size_t validBytes, uint64_t dropped);

 private:
  CuptiProfiler() = default;
  void resolveExternalIds(CuptiRecords& records);

  bool tried_ = false;
  bool enabled_ = false;
  std::string reason_;
  int64_t clockOffsetNs_ = 0;
  std::mutex mutex_;  // CUPTI may complete buffers on its own thread
  CuptiRecords pending_;
  std::unordered_map<uint32_t, uint64_t> externalByCorrelation_;
};

// Ties every CUDA launch, copy and allocation on this thread to `id` while alive.
class CorrelationScope {
 public:
  explicit CorrelationScope(uint64_t id);
  ~CorrelationScope();
  CorrelationScope(const CorrelationScope&) = delete;
  CorrelationScope& operator=(const CorrelationScope&) = delete;

 private:
  bool pushed_ = false;
};

// The note a result carries when its times come from cudaEvents instead.
std::string cuptiFallbackNote(const std::string& why);

// Size of each activity buffer handed to CUPTI.
inline constexpr size_t kCuptiBufferBytes = size_t{4} << 20;

}  // namespace attnscope::kernels
