// Launch of memory_slots' write recurrence (memory_slots_write_kernel.cuh).
#include <cuda_runtime.h>

#include "memory_slots_write.hpp"
#include "memory_slots_write_kernel.cuh"

namespace attnscope::kernels {

int launchMemorySlotsWrite(const SlotWriteParams& p, FlashStream stream) {
  // One block per (slot group, head); the emulated runner launches the same grid.
  const SlotWriteGrid grid = slotWriteGrid(p);
  if (grid.empty()) return static_cast<int>(cudaSuccess);
  device::memorySlotsWrite<<<dim3(grid.groups, grid.heads), dim3(kSlotWriteThreads), slotWriteSmemBytes(p.d), stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
