// The probe kernels (flash and low-rank map) under the CPU emulation, instantiated once for the suites.
#include "emu_probe_device.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include "common/error.hpp"
#include "flash_probe_kernel.cuh"
#include "lowrank_map_kernel.cuh"

namespace attnscope::testing {

namespace {

constexpr unsigned char kGuardByte = 0x5A;
constexpr size_t kGuardBytes = 64;

class EmulatedProbeDevice final : public kernels::ProbeDevice {
 public:
  EmulatedProbeDevice(std::shared_ptr<ProbeDeviceLog> log, emu::Order order, uint64_t seed) : log_(std::move(log)), order_(order), seed_(seed) {}
  std::string name() const override { return "cuda (emulated)"; }
  void* allocate(size_t bytes) override {
    unsigned char* p = static_cast<unsigned char*>(std::malloc(bytes + kGuardBytes));
    if (!p) throw Error(ErrorKind::Unavailable, "emulated device: out of memory");
    std::memset(p, 0xA5, bytes);  // device memory starts as garbage, not zero
    std::memset(p + bytes, kGuardByte, kGuardBytes);
    sizes_[p] = bytes;
    log_->liveBytes += static_cast<int64_t>(bytes);
    return p;
  }
  void release(void* p) noexcept override {
    unsigned char* b = static_cast<unsigned char*>(p);
    const size_t bytes = sizes_[b];
    for (size_t i = 0; i < kGuardBytes; ++i)
      if (b[bytes + i] != kGuardByte) {
        ++log_->overruns;
        break;
      }
    log_->liveBytes -= static_cast<int64_t>(bytes);
    sizes_.erase(b);
    std::free(p);
  }
  void upload(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void download(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void zero(void* dst, size_t bytes) override { std::memset(dst, 0, bytes); }
  void launch(const kernels::FlashProbeParams& p) override {
    ++log_->launches;
    const unsigned tiles = static_cast<unsigned>(kernels::probeGridTiles(p.layout));
    emu::launch(emu::LaunchConfig{dim3(tiles), dim3(kernels::kProbeThreads), static_cast<size_t>(kernels::kProbeSmemBytes), order_, seed_},
                [&] { kernels::device::flashProbeFp32(p); });
  }
  void launch(const kernels::LowRankMapParams& p) override {
    ++log_->launches;
    const int64_t gridY = log_->lowRankGridY > 0 ? std::min(log_->lowRankGridY, kernels::lowRankMapGridY(p)) : kernels::lowRankMapGridY(p);
    const dim3 grid(static_cast<unsigned>(kernels::lowRankMapTilesX(p)), static_cast<unsigned>(gridY));
    emu::launch(emu::LaunchConfig{grid, dim3(kernels::kLowRankThreads), static_cast<size_t>(kernels::kLowRankSmemBytes), order_, seed_},
                [&] { kernels::device::lowRankMapFp32(p); });
  }

 private:
  std::shared_ptr<ProbeDeviceLog> log_;
  emu::Order order_;
  uint64_t seed_;
  std::map<unsigned char*, size_t> sizes_;
};

}  // namespace

std::unique_ptr<kernels::ProbeDevice> emulatedProbeDevice(std::shared_ptr<ProbeDeviceLog> log, emu::Order order, uint64_t seed) {
  return std::make_unique<EmulatedProbeDevice>(std::move(log), order, seed);
}

}  // namespace attnscope::testing
