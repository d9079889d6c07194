#include "profiling/trace.hpp"

#include <nlohmann/json.hpp>

namespace attnscope {

const char* spanCategoryName(SpanCategory c) {
  switch (c) {
    case SpanCategory::Kernel: return "kernel";
    case SpanCategory::Memcpy: return "memcpy";
    case SpanCategory::Host: return "host";
    case SpanCategory::Alloc: return "alloc";
  }
  return "host";
}

std::string Trace::toChromeJson() const {
  nlohmann::json events = nlohmann::json::array();
  for (const Span& s : spans) {
    nlohmann::json e;
    e["name"] = s.name;
    e["cat"] = spanCategoryName(s.category);
    e["ph"] = "X";
    e["ts"] = static_cast<double>(s.startNs) / 1000.0;  // microseconds
    e["dur"] = static_cast<double>(s.durationNs) / 1000.0;
    e["pid"] = s.device.empty() ? "cpu" : s.device;
    e["tid"] = s.track;
    e["args"] = {{"bytes", s.bytes}, {"flops", s.flops}};
    events.push_back(std::move(e));
  }
  for (const MemorySample& m : memory) {
    events.push_back({{"name", "tracked memory"}, {"ph", "C"}, {"ts", static_cast<double>(m.timeNs) / 1000.0}, {"pid", "cpu"}, {"args", {{"bytes", m.bytes}}}});
  }
  nlohmann::json root;
  root["traceEvents"] = std::move(events);
  root["displayTimeUnit"] = "ms";
  root["otherData"] = {{"peak_bytes", peakBytes}};
  return root.dump(1);
}

void Trace::append(const Trace& other, int64_t offsetNs) {
  for (Span s : other.spans) {
    s.startNs += offsetNs;
    spans.push_back(std::move(s));
  }
  for (MemorySample m : other.memory) {
    m.timeNs += offsetNs;
    memory.push_back(m);
  }
  peakBytes = std::max(peakBytes, other.peakBytes);
}

}  // namespace attnscope
