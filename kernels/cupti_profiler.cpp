#include "cupti_profiler.hpp"

#include <cuda_runtime.h>
#include <cupti.h>

#include <atomic>
#include <cstdlib>

namespace attnscope::kernels {

namespace {

constexpr CUpti_ExternalCorrelationKind kCorrelationKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0;

std::string cuptiMessage(CUptiResult r) {
  const char* text = nullptr;
  if (cuptiGetResultString(r, &text) != CUPTI_SUCCESS || !text) text = "unknown CUPTI error";
  std::string m = text;
  if (r == CUPTI_ERROR_INSUFFICIENT_PRIVILEGES) m += " (profiling needs permission: run as root or set NVreg_RestrictProfilingToAdminUsers=0)";
  if (r == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED) m += " (another profiler, such as Nsight, is attached)";
  return m;
}

// The fields memcpy and memset records share.
template <typename Record>
CopyRecord copyRecordOf(const Record& m, CopyKind kind) {
  CopyRecord r;
  r.kind = kind;
  r.startNs = m.start;
  r.endNs = m.end;
  r.bytes = m.bytes;
  r.device = static_cast<int>(m.deviceId);
  r.stream = m.streamId;
  r.correlationId = m.correlationId;
  return r;
}

const char* copyDirection(uint8_t kind) {
  switch (kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD: return "HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH: return "DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD: return "DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH: return "HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP: return "PtoP";
    default: return "other";
  }
}

const char* overheadName(CUpti_ActivityOverheadKind k) {
  switch (k) {
    case CUPTI_ACTIVITY_OVERHEAD_DRIVER_COMPILER: return "driver compiler";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_BUFFER_FLUSH: return "activity buffer flush";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_INSTRUMENTATION: return "instrumentation";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_RESOURCE: return "resource";
    default: return "other";
  }
}

void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* maxNumRecords) {
  // CUPTI wants 8-byte alignment; aligned_alloc needs the size to be a multiple of it (4 MiB is).
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kCuptiBufferBytes));
  *size = *buffer ? kCuptiBufferBytes : 0;
  *maxNumRecords = 0;  // as many as fit
}

void CUPTIAPI bufferCompleted(CUcontext context, uint32_t streamId, uint8_t* buffer, size_t /*size*/, size_t validSize) {
  size_t dropped = 0;
  cuptiActivityGetNumDroppedRecords(context, streamId, &dropped);
  if (buffer && validSize > 0) CuptiProfiler::instance().parseBuffer(buffer, validSize, dropped);
  std::free(buffer);
}

}  // namespace

CuptiProfiler& CuptiProfiler::instance() {
  static CuptiProfiler profiler;
  return profiler;
}

uint64_t CuptiProfiler::newExternalId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

bool CuptiProfiler::enable(std::string* why) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!tried_) {
    tried_ = true;
    int count = 0;  // untouched when there is no driver
    const cudaError_t st = cudaGetDeviceCount(&count);
    const char* off = std::getenv("ATTNSCOPE_CUPTI");
    if (off && std::string(off) == "off") {
      // For another profiler (Nsight Systems holds CUPTI itself) and for checking the event timing path.
      reason_ = "turned off by ATTNSCOPE_CUPTI=off";
    } else if (st != cudaSuccess || count == 0) {
      cudaGetLastError();
      reason_ = st != cudaSuccess ? std::string("no usable CUDA device: ") + cudaGetErrorString(st) : "no CUDA device found";
    } else if (const CUptiResult r = cuptiActivityRegisterCallbacks(bufferRequested, bufferCompleted); r != CUPTI_SUCCESS) {
      reason_ = "CUPTI callbacks: " + cuptiMessage(r);
    } else {
      // Kernels are required; the others are enabled where the driver has them.
      const CUptiResult k = cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
      if (k != CUPTI_SUCCESS) {
        reason_ = "CUPTI kernel activity: " + cuptiMessage(k);
      } else {
        for (CUpti_ActivityKind kind : {CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET, CUPTI_ACTIVITY_KIND_MEMORY2, CUPTI_ACTIVITY_KIND_OVERHEAD,
                                        CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION})
          cuptiActivityEnable(kind);
        uint64_t cuptiNow = 0;
        cuptiGetTimestamp(&cuptiNow);
        clockOffsetNs_ = traceClockNs() - static_cast<int64_t>(cuptiNow);
        enabled_ = true;
      }
    }
  }
  if (why && !enabled_) *why = reason_;
  return enabled_;
}

namespace {

constexpr CUpti_ActivityKind kCollectedKinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET,
                                                   CUPTI_ACTIVITY_KIND_MEMORY2, CUPTI_ACTIVITY_KIND_OVERHEAD};

}  // namespace

void CuptiProfiler::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_) return;
  for (CUpti_ActivityKind kind : kCollectedKinds) cuptiActivityDisable(kind);
}

void CuptiProfiler::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_) return;
  for (CUpti_ActivityKind kind : kCollectedKinds) cuptiActivityEnable(kind);
}

void CuptiProfiler::parseBuffer(uint8_t* buffer, size_t validBytes, uint64_t dropped) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.droppedRecords += dropped;
  CUpti_Activity* record = nullptr;
  while (cuptiActivityGetNextRecord(buffer, validBytes, &record) == CUPTI_SUCCESS) {
    switch (record->kind) {
      case CUPTI_ACTIVITY_KIND_KERNEL:
      case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
        const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
        KernelRecord r;
        r.name = k->name ? k->name : "kernel";
        r.startNs = k->start;
        r.endNs = k->end;
        r.device = static_cast<int>(k->deviceId);
        r.stream = k->streamId;
        r.gridX = k->gridX, r.gridY = k->gridY, r.gridZ = k->gridZ;
        r.blockX = k->blockX, r.blockY = k->blockY, r.blockZ = k->blockZ;
        r.registersPerThread = k->registersPerThread;
        r.staticSharedBytes = k->staticSharedMemory;
        r.dynamicSharedBytes = k->dynamicSharedMemory;
        r.correlationId = k->correlationId;
        pending_.kernels.push_back(std::move(r));
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(record);
        CopyRecord r = copyRecordOf(*m, CopyKind::Memcpy);
        r.direction = copyDirection(m->copyKind);
        pending_.copies.push_back(std::move(r));
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMSET: {
        pending_.copies.push_back(copyRecordOf(*reinterpret_cast<const CUpti_ActivityMemset4*>(record), CopyKind::Memset));
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMORY2: {
        // Device allocations and releases, pool sub-allocations (cudaMallocAsync) included:
        // they are what the run holds, whichever allocator served them.
        const auto* m = reinterpret_cast<const CUpti_ActivityMemory4*>(record);
        if (m->memoryKind != CUPTI_ACTIVITY_MEMORY_KIND_DEVICE) break;
        if (m->memoryOperationType != CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_ALLOCATION &&
            m->memoryOperationType != CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_RELEASE)
          break;
        MemoryEvent e;
        e.address = m->address;
        e.bytes = static_cast<int64_t>(m->bytes);
        e.allocation = m->memoryOperationType == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_ALLOCATION;
        e.timestampNs = m->timestamp;
        e.correlationId = m->correlationId;
        pending_.memory.push_back(e);
        break;
      }
      case CUPTI_ACTIVITY_KIND_OVERHEAD: {
        const auto* o = reinterpret_cast<const CUpti_ActivityOverhead3*>(record);
        pending_.overhead.push_back(OverheadRecord{overheadName(o->overheadKind), o->start, o->end});
        break;
      }
      case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: {
        const auto* x = reinterpret_cast<const CUpti_ActivityExternalCorrelation*>(record);
        if (x->externalKind == kCorrelationKind) externalByCorrelation_[x->correlationId] = x->externalId;
        break;
      }
      default: break;
    }
  }
}

void CuptiProfiler::resolveExternalIds(CuptiRecords& records) {
  const auto lookup = [&](uint32_t correlation) -> uint64_t {
    const auto it = externalByCorrelation_.find(correlation);
    return it == externalByCorrelation_.end() ? 0 : it->second;
  };
  for (KernelRecord& k : records.kernels) k.externalId = lookup(k.correlationId);
  for (CopyRecord& c : records.copies) c.externalId = lookup(c.correlationId);
  for (MemoryEvent& m : records.memory) m.externalId = lookup(m.correlationId);
  externalByCorrelation_.clear();  // after a forced flush every record of these calls has arrived
}

CuptiRecords CuptiProfiler::flushAndTake() {
  if (!enabled_) return {};
  cudaDeviceSynchronize();  // records of unfinished work would arrive after this flush
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  std::lock_guard<std::mutex> lock(mutex_);
  CuptiRecords out = std::move(pending_);
  pending_ = CuptiRecords{};
  resolveExternalIds(out);
  return out;
}

CorrelationScope::CorrelationScope(uint64_t id) {
  if (!CuptiProfiler::instance().enabled()) return;
  pushed_ = cuptiActivityPushExternalCorrelationId(kCorrelationKind, id) == CUPTI_SUCCESS;
}

CorrelationScope::~CorrelationScope() {
  if (!pushed_) return;
  uint64_t last = 0;
  cuptiActivityPopExternalCorrelationId(kCorrelationKind, &last);
}

std::string cuptiFallbackNote(const std::string& why) { return "CUPTI unavailable (" + why + "): device times from cudaEvent, device memory from the tracked allocator"; }

}  // namespace attnscope::kernels
