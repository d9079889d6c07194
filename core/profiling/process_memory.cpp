#include "profiling/process_memory.hpp"

#include <sys/resource.h>

#include <fstream>
#include <string>

#include "common/parse.hpp"

namespace attnscope {

namespace {
// A "Name:   123 kB" line of /proc/self/status, in bytes.
int64_t statusField(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(name) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::string_view rest = trim(std::string_view(line).substr(prefix.size()));
    const size_t space = rest.find(' ');
    if (auto kb = parseInt(rest.substr(0, space))) return *kb * 1024;
  }
  return 0;
}
}  // namespace

int64_t processPeakRssBytes() {
  if (const int64_t hwm = statusField("VmHWM")) return hwm;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
  return 0;
}

int64_t processRssBytes() { return statusField("VmRSS"); }

}  // namespace attnscope
