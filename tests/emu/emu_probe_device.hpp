// The flash probe's device (kernels/flash_probe_operator.hpp) on the CPU
// emulation: host memory with guard bytes for device memory, the probe
// kernel's own source for the launch. The log counts launches and any write
// past a buffer, seen when the buffer is released.
#pragma once

#include <cstdint>
#include <memory>

#include "cuda_emu.hpp"
#include "flash_probe_operator.hpp"

namespace attnscope::testing {

struct ProbeDeviceLog {
  int launches = 0;
  int overruns = 0;      // buffers whose guard bytes were overwritten
  int64_t liveBytes = 0; // allocated and not yet released
  int64_t lowRankGridY = 0; // > 0: the low-rank map's blocks in y, so a few blocks walk many row tiles
};

std::unique_ptr<kernels::ProbeDevice> emulatedProbeDevice(std::shared_ptr<ProbeDeviceLog> log, emu::Order order = emu::Order::Shuffled,
                                                          uint64_t seed = 1);

}  // namespace attnscope::testing
