// The process's own memory as the kernel sees it (resident set), for the
// run record next to the tracked workspace.
#pragma once

#include <cstdint>

namespace attnscope {

// High-water mark of the resident set since the process started (VmHWM;
// getrusage's ru_maxrss where /proc is missing). 0 when unknown.
int64_t processPeakRssBytes();
// Resident set now (VmRSS). 0 when unknown.
int64_t processRssBytes();

}  // namespace attnscope
