// Host entry to memory_slots' write recurrence on the GPU; no CUDA headers.
#pragma once

#include "flash_launch.hpp"
#include "memory_slots_params.hpp"

namespace attnscope::kernels {

// Fills the slot rows of p.k and p.v (device pointers); returns a cudaError_t.
int launchMemorySlotsWrite(const SlotWriteParams& p, FlashStream stream);

}  // namespace attnscope::kernels
