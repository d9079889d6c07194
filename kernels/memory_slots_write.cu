// Launch of memory_slots' write recurrence (memory_slots_write_kernel.cuh).
#include <cuda_runtime.h>

#include "memory_slots_write.hpp"
#include "memory_slots_write_kernel.cuh"

namespace attnscope::kernels {

int launchMemorySlotsWrite(const SlotWriteParams& p, FlashStream stream) {
  if (p.heads < 1 || p.segments < 1) return static_cast<int>(cudaSuccess);
  device::memorySlotsWrite<<<dim3(static_cast<unsigned>(p.heads)), dim3(kSlotWriteThreads), slotWriteSmemBytes(p.d), stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
