// CPU profiler: spans from the steady clock, memory from a tracking meter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "profiling/trace.hpp"

namespace attnscope {

// Counts live tracked bytes and their peak. Thread-safe.
class MemoryMeter {
 public:
  void add(int64_t bytes);
  void sub(int64_t bytes);
  int64_t current() const { return current_.load(); }
  int64_t peak() const { return peak_.load(); }
  void resetPeak() { peak_.store(current_.load()); }

 private:
  std::atomic<int64_t> current_{0};
  std::atomic<int64_t> peak_{0};
};

// An owned float buffer whose bytes are counted by a MemoryMeter. Kernels take
// all their workspace from these so the peak is measured, not guessed.
class TrackedBuffer {
 public:
  TrackedBuffer() = default;
  TrackedBuffer(MemoryMeter* meter, int64_t floats);
  ~TrackedBuffer();
  TrackedBuffer(TrackedBuffer&& other) noexcept;
  TrackedBuffer& operator=(TrackedBuffer&& other) noexcept;
  TrackedBuffer(const TrackedBuffer&) = delete;
  TrackedBuffer& operator=(const TrackedBuffer&) = delete;

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  int64_t size() const { return size_; }

 private:
  void release();
  MemoryMeter* meter_ = nullptr;
  std::unique_ptr<float[]> data_;  // from block_cache (large blocks are reused)
  int64_t size_ = 0;
  size_t capacity_ = 0;  // floats allocated, >= size_
};

class Profiler {
 public:
  explicit Profiler(MemoryMeter* meter = nullptr);
  int64_t nowNs() const;  // the process-wide trace clock
  void record(Span span);
  void nameTrack(int track, std::string name);
  void sampleMemory();
  Trace take();  // moves the trace out, with the meter's peak
  MemoryMeter* meter() const { return meter_; }

 private:
  MemoryMeter* meter_;
  std::mutex mutex_;
  Trace trace_;
};

// Records a span for the lifetime of the object. A null profiler is allowed.
class ScopedSpan {
 public:
  ScopedSpan(Profiler* profiler, std::string name, SpanCategory category = SpanCategory::Host, double flops = 0, int64_t bytes = 0);
  ~ScopedSpan();
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;

 private:
  Profiler* profiler_;
  Span span_;
};

int currentThreadTrack();

}  // namespace attnscope
