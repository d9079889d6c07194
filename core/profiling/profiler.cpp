#include "profiling/profiler.hpp"

#include <thread>

#include "profiling/block_cache.hpp"

namespace attnscope {

void MemoryMeter::add(int64_t bytes) {
  const int64_t now = current_.fetch_add(bytes) + bytes;
  int64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
}

void MemoryMeter::sub(int64_t bytes) { current_.fetch_sub(bytes); }

TrackedBuffer::TrackedBuffer(MemoryMeter* meter, int64_t floats)
    : meter_(meter), size_(floats) {
  if (floats > 0) data_.reset(block_cache::take(static_cast<size_t>(floats), &capacity_));
  if (meter_ && size_ > 0) meter_->add(size_ * static_cast<int64_t>(sizeof(float)));
}

TrackedBuffer::~TrackedBuffer() { release(); }

void TrackedBuffer::release() {
  if (meter_ && size_ > 0) meter_->sub(size_ * static_cast<int64_t>(sizeof(float)));
  block_cache::give(data_.release(), capacity_);
  size_ = 0;
  capacity_ = 0;
  meter_ = nullptr;
}

TrackedBuffer::TrackedBuffer(TrackedBuffer&& other) noexcept
    : meter_(other.meter_), data_(std::move(other.data_)), size_(other.size_), capacity_(other.capacity_) {
  other.meter_ = nullptr;
  other.size_ = 0;
  other.capacity_ = 0;
}

TrackedBuffer& TrackedBuffer::operator=(TrackedBuffer&& other) noexcept {
  if (this != &other) {
    release();
    meter_ = other.meter_;
    data_ = std::move(other.data_);
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.meter_ = nullptr;
    other.size_ = 0;
    other.capacity_ = 0;
  }
  return *this;
}

int currentThreadTrack() {
  static std::atomic<int> next{0};
  thread_local int track = next++;
  return track;
}

Profiler::Profiler(MemoryMeter* meter) : meter_(meter) {}

int64_t Profiler::nowNs() const { return traceClockNs(); }

void Profiler::record(Span span) {
  std::lock_guard<std::mutex> lock(mutex_);
  trace_.spans.push_back(std::move(span));
}

void Profiler::nameTrack(int track, std::string name) {
  std::lock_guard<std::mutex> lock(mutex_);
  trace_.trackNames.emplace(track, std::move(name));
}

void Profiler::sampleMemory() {
  if (!meter_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  trace_.memory.push_back({nowNs(), meter_->current()});
}

Trace Profiler::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (meter_) trace_.peakBytes = std::max(trace_.peakBytes, meter_->peak());
  Trace out = std::move(trace_);
  trace_ = Trace{};
  return out;
}

ScopedSpan::ScopedSpan(Profiler* profiler, std::string name, SpanCategory category, double flops, int64_t bytes) : profiler_(profiler) {
  if (!profiler_) return;
  span_.name = std::move(name);
  span_.category = category;
  span_.device = "cpu";
  span_.track = currentThreadTrack();
  span_.flops = flops;
  span_.bytes = bytes;
  span_.startNs = profiler_->nowNs();
}

ScopedSpan::~ScopedSpan() {
  if (!profiler_) return;
  span_.durationNs = profiler_->nowNs() - span_.startNs;
  profiler_->record(std::move(span_));
  profiler_->sampleMemory();
}

}  // namespace attnscope
