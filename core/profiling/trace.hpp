// The measurement model shared by the CPU profiler and CUPTI (DESIGN §2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

enum class SpanCategory { Kernel, Memcpy, Host, Alloc };
const char* spanCategoryName(SpanCategory c);

struct Span {
  std::string name;
  SpanCategory category = SpanCategory::Host;
  std::string device;   // "cpu", "cuda:0"
  int track = 0;        // thread or stream
  int64_t startNs = 0;  // relative to the trace origin
  int64_t durationNs = 0;
  int64_t bytes = 0;
  double flops = 0;
};

struct MemorySample {
  int64_t timeNs = 0;
  int64_t bytes = 0;  // tracked bytes live at that time
};

struct Trace {
  std::vector<Span> spans;
  std::vector<MemorySample> memory;
  int64_t peakBytes = 0;

  // Chrome trace-event JSON (opens in Perfetto and chrome://tracing).
  std::string toChromeJson() const;
  void append(const Trace& other, int64_t offsetNs);
};

}  // namespace attnscope
