// The CUPTI profiler's records as plain structs, and what becomes of them:
// Spans for the Trace (with the launch shape and achieved rates), and the
// device memory timeline and peak replayed from allocation and free records.
// No CUDA or CUPTI header: the CPU suite tests all of this.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profiling/trace.hpp"

namespace attnscope::kernels {

struct KernelRecord {
  std::string name;  // as CUPTI reports it (mangled); spans show it demangled and shortened
  uint64_t startNs = 0, endNs = 0;  // CUPTI timestamps
  int device = 0;
  uint32_t stream = 0;
  int gridX = 1, gridY = 1, gridZ = 1;
  int blockX = 1, blockY = 1, blockZ = 1;
  int registersPerThread = 0;
  int staticSharedBytes = 0, dynamicSharedBytes = 0;
  uint32_t correlationId = 0;
  uint64_t externalId = 0;  // the run/phase id pushed around the launch (0: none)
};

enum class CopyKind { Memcpy, Memset };

struct CopyRecord {
  CopyKind kind = CopyKind::Memcpy;
  std::string direction;  // "HtoD", "DtoH", "DtoD", ... (memset: empty)
  uint64_t startNs = 0, endNs = 0;
  uint64_t bytes = 0;
  int device = 0;
  uint32_t stream = 0;
  uint32_t correlationId = 0;
  uint64_t externalId = 0;
};

struct MemoryEvent {
  uint64_t address = 0;
  int64_t bytes = 0;
  bool allocation = true;  // false: release
  uint64_t timestampNs = 0;
  uint32_t correlationId = 0;
  uint64_t externalId = 0;
};

struct OverheadRecord {
  std::string what;  // "driver compiler", "activity buffer flush", ...
  uint64_t startNs = 0, endNs = 0;
};

// Everything one flush returned.
struct CuptiRecords {
  std::vector<KernelRecord> kernels;
  std::vector<CopyRecord> copies;
  std::vector<MemoryEvent> memory;
  std::vector<OverheadRecord> overhead;
  uint64_t droppedRecords = 0;  // CUPTI ran out of buffer space (counted, never silent)
};

// Keeps only records tied to externalId (memory events too).
CuptiRecords recordsFor(const CuptiRecords& all, uint64_t externalId);

struct MemoryReplay {
  int64_t peakBytes = 0;        // most bytes live at once, counting from zero at the first event
  int64_t finalBytes = 0;       // live at the end (leaks or long-lived buffers)
  int unmatchedReleases = 0;    // frees of addresses never seen allocated (allocated before tracing)
  std::vector<MemorySample> timeline;  // after every event, on the CUPTI clock
};

// Replays allocations and releases in timestamp order (ties keep input
// order). A release frees what its address holds, whatever bytes it claims.
MemoryReplay replayDeviceMemory(std::vector<MemoryEvent> events);

// Demangled, without the project's namespaces and template noise kept short.
std::string shortKernelName(const std::string& mangled);

// Achieved rates: TFLOP/s and GB/s of `flops` and `bytes` over durationNs (0 when the duration is 0).
double teraflopsPerSecond(double flops, int64_t durationNs);
double gigabytesPerSecond(double bytes, int64_t durationNs);

// A kernel span. Span has no launch-shape fields, so grid, block, registers,
// shared memory and the achieved rates are written into its name, e.g.
// "flashForwardMma<128, true> [grid 64x8x1, block 128x1x1, 166 regs, smem 54144 B, 1.23 TFLOP/s]".
// flops / bytes: the work the caller attributes to this launch (0: unknown, rate left out).
// clockOffsetNs: added to CUPTI timestamps to land on the trace clock.
Span kernelSpan(const KernelRecord& r, int64_t clockOffsetNs, double flops = 0, double bytes = 0);
Span copySpan(const CopyRecord& r, int64_t clockOffsetNs);

// All kernels, copies and the memory timeline as a Trace (flops left to the caller).
Trace recordsToTrace(const CuptiRecords& records, int64_t clockOffsetNs);

// Sum of kernel durations (ns).
int64_t totalKernelNs(const CuptiRecords& records);

}  // namespace attnscope::kernels
