// The measurement model shared by the CPU profiler and CUPTI (DESIGN §2).
#pragma once

#include <cstdint>
#include <map>
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
  int64_t startNs = 0;  // on the process-wide trace clock (see traceClockNs)
  int64_t durationNs = 0;
  int64_t bytes = 0;
  double flops = 0;
};

struct MemorySample {
  int64_t timeNs = 0;
  int64_t bytes = 0;  // tracked bytes live at that time
};

// Tracks at and above this id hold per-worker phase totals of fused kernels
// (one span per phase, laid end to end; see backend/cpu/block_sparse.hpp).
constexpr int kPhaseTotalsTrackBase = 1000;

struct Trace {
  std::vector<Span> spans;
  std::vector<MemorySample> memory;
  int64_t peakBytes = 0;
  std::map<int, std::string> trackNames;  // shown as thread names; unnamed tracks are "thread N"

  // Chrome trace-event JSON (opens in Perfetto and chrome://tracing). Times
  // are shifted so the earliest event is at 0.
  std::string toChromeJson() const;
  // Adds other's spans and samples shifted by offsetNs (0 when both use the trace clock).
  void append(const Trace& other, int64_t offsetNs = 0);
};

// Nanoseconds since the process's first use of the trace clock (steady). Every
// Profiler stamps spans on this clock, so traces of separate runs line up.
int64_t traceClockNs();

}  // namespace attnscope
