#include "cupti_records.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unordered_map>

namespace attnscope::kernels {

namespace {

int64_t durationOf(uint64_t start, uint64_t end) { return end > start ? static_cast<int64_t>(end - start) : 0; }

void eraseAll(std::string& s, const std::string& what) {
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what)) s.erase(at, what.size());
}

std::string formatRate(double value, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s", value, unit);
  return buf;
}

}  // namespace

CuptiRecords recordsFor(const CuptiRecords& all, uint64_t externalId) {
  CuptiRecords out;
  for (const KernelRecord& k : all.kernels)
    if (k.externalId == externalId) out.kernels.push_back(k);
  for (const CopyRecord& c : all.copies)
    if (c.externalId == externalId) out.copies.push_back(c);
  for (const MemoryEvent& m : all.memory)
    if (m.externalId == externalId) out.memory.push_back(m);
  out.droppedRecords = all.droppedRecords;
  return out;
}

MemoryReplay replayDeviceMemory(std::vector<MemoryEvent> events) {
  std::stable_sort(events.begin(), events.end(), [](const MemoryEvent& a, const MemoryEvent& b) { return a.timestampNs < b.timestampNs; });
  MemoryReplay r;
  std::unordered_map<uint64_t, int64_t> live;  // address -> bytes
  int64_t current = 0;
  for (const MemoryEvent& e : events) {
    if (e.allocation) {
      auto [it, fresh] = live.try_emplace(e.address, e.bytes);
      if (!fresh) {  // an address reused without a release seen: the newer allocation replaces it
        current -= it->second;
        it->second = e.bytes;
      }
      current += e.bytes;
    } else {
      const auto it = live.find(e.address);
      if (it == live.end()) {
        ++r.unmatchedReleases;
        continue;
      }
      current -= it->second;
      live.erase(it);
    }
    r.peakBytes = std::max(r.peakBytes, current);
    r.timeline.push_back(MemorySample{static_cast<int64_t>(e.timestampNs), current});
  }
  r.finalBytes = current;
  return r;
}

std::string shortKernelName(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), std::free);
  std::string name = (status == 0 && demangled) ? std::string(demangled.get()) : mangled;
  eraseAll(name, "attnscope::kernels::");
  eraseAll(name, "(anonymous namespace)::");
  // Parameters add nothing for a kernel (they are always its params struct).
  if (const size_t paren = name.rfind('('); paren != std::string::npos && paren > 0 && name.back() == ')') name.erase(paren);
  if (name.rfind("void ", 0) == 0) name.erase(0, 5);
  return name;
}

double teraflopsPerSecond(double flops, int64_t durationNs) { return durationNs > 0 ? flops / static_cast<double>(durationNs) * 1e-3 : 0.0; }
double gigabytesPerSecond(double bytes, int64_t durationNs) { return durationNs > 0 ? bytes / static_cast<double>(durationNs) : 0.0; }

namespace {
// The fields every device span takes from its record: device, stream, times.
template <typename Record>
Span deviceSpan(SpanCategory category, const Record& r, int64_t clockOffsetNs) {
  Span s;
  s.category = category;
  s.device = "cuda:" + std::to_string(r.device);
  s.track = static_cast<int>(r.stream);
  s.startNs = static_cast<int64_t>(r.startNs) + clockOffsetNs;
  s.durationNs = durationOf(r.startNs, r.endNs);
  return s;
}
}  // namespace

Span kernelSpan(const KernelRecord& r, int64_t clockOffsetNs, double flops, double bytes) {
  Span s = deviceSpan(SpanCategory::Kernel, r, clockOffsetNs);
  s.flops = flops;
  s.bytes = static_cast<int64_t>(bytes);
  std::string name = shortKernelName(r.name);
  name += " [grid " + std::to_string(r.gridX) + "x" + std::to_string(r.gridY) + "x" + std::to_string(r.gridZ) + ", block " + std::to_string(r.blockX) + "x" +
          std::to_string(r.blockY) + "x" + std::to_string(r.blockZ) + ", " + std::to_string(r.registersPerThread) + " regs, smem " +
          std::to_string(r.staticSharedBytes + r.dynamicSharedBytes) + " B";
  if (flops > 0 && s.durationNs > 0) name += ", " + formatRate(teraflopsPerSecond(flops, s.durationNs), "TFLOP/s");
  if (bytes > 0 && s.durationNs > 0) name += ", " + formatRate(gigabytesPerSecond(bytes, s.durationNs), "GB/s");
  name += "]";
  s.name = std::move(name);
  return s;
}

Span copySpan(const CopyRecord& r, int64_t clockOffsetNs) {
  Span s = deviceSpan(SpanCategory::Memcpy, r, clockOffsetNs);
  s.bytes = static_cast<int64_t>(r.bytes);
  s.name = r.kind == CopyKind::Memset ? "memset" : "memcpy " + r.direction;
  if (s.durationNs > 0) s.name += " [" + formatRate(gigabytesPerSecond(static_cast<double>(r.bytes), s.durationNs), "GB/s") + "]";
  return s;
}

Trace recordsToTrace(const CuptiRecords& records, int64_t clockOffsetNs) {
  Trace t;
  for (const KernelRecord& k : records.kernels) t.spans.push_back(kernelSpan(k, clockOffsetNs));
  for (const CopyRecord& c : records.copies) t.spans.push_back(copySpan(c, clockOffsetNs));
  const MemoryReplay replay = replayDeviceMemory(records.memory);
  for (MemorySample m : replay.timeline) {
    m.timeNs += clockOffsetNs;
    t.memory.push_back(m);
  }
  t.peakBytes = replay.peakBytes;
  std::sort(t.spans.begin(), t.spans.end(), [](const Span& a, const Span& b) { return a.startNs < b.startNs; });
  return t;
}

int64_t totalKernelNs(const CuptiRecords& records) {
  int64_t total = 0;
  for (const KernelRecord& k : records.kernels) total += durationOf(k.startNs, k.endNs);
  return total;
}

}  // namespace attnscope::kernels
