#include "profiling/trace.hpp"

#include <algorithm>
#include <chrono>
#include <set>

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

int64_t traceClockNs() {
  static const auto epoch = std::chrono::steady_clock::now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - epoch).count();
}

std::string Trace::toChromeJson() const {
  // Chrome's format wants numeric pid/tid: one process per device, in order of appearance.
  std::map<std::string, int> pids;
  auto pidOf = [&](const std::string& device) {
    const std::string name = device.empty() ? "cpu" : device;
    auto it = pids.find(name);
    if (it == pids.end()) it = pids.emplace(name, static_cast<int>(pids.size()) + 1).first;
    return it->second;
  };
  int64_t origin = INT64_MAX;
  for (const Span& s : spans) origin = std::min(origin, s.startNs);
  for (const MemorySample& m : memory) origin = std::min(origin, m.timeNs);
  if (origin == INT64_MAX) origin = 0;
  auto us = [&](int64_t ns) { return static_cast<double>(ns - origin) / 1000.0; };

  nlohmann::json events = nlohmann::json::array();
  std::set<std::pair<int, int>> threads;
  for (const Span& s : spans) {
    const int pid = pidOf(s.device);
    threads.insert({pid, s.track});
    nlohmann::json e;
    e["name"] = s.name;
    e["cat"] = spanCategoryName(s.category);
    e["ph"] = "X";
    e["ts"] = us(s.startNs);
    e["dur"] = static_cast<double>(s.durationNs) / 1000.0;
    e["pid"] = pid;
    e["tid"] = s.track;
    e["args"] = {{"bytes", s.bytes}, {"flops", s.flops}};
    events.push_back(std::move(e));
  }
  const int cpuPid = pidOf("cpu");
  for (const MemorySample& m : memory)
    events.push_back({{"name", "tracked memory"}, {"ph", "C"}, {"ts", us(m.timeNs)}, {"pid", cpuPid}, {"tid", 0}, {"args", {{"bytes", m.bytes}}}});
  for (const auto& [name, pid] : pids)
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", 0}, {"args", {{"name", name}}}});
  for (const auto& [pid, tid] : threads) {
    const auto named = trackNames.find(tid);
    const std::string name = named != trackNames.end() ? named->second : "thread " + std::to_string(tid);
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
    events.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
  }
  nlohmann::json root;
  root["traceEvents"] = std::move(events);
  root["displayTimeUnit"] = "ms";
  root["otherData"] = {{"peak_tracked_bytes", peakBytes}};
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
  for (const auto& [track, name] : other.trackNames) trackNames.emplace(track, name);
  peakBytes = std::max(peakBytes, other.peakBytes);
}

}  // namespace attnscope
