// A head's attention operator A on a device, from the flash layout's probe
// kernel (flash_probe.hpp): Q, K and the layout are uploaded once and the
// rows' log-sum-exps computed once; then A X, A^T Y and map grids cost one
// launch each. The device is an interface, so the GPU backend and the CPU
// emulation in the tests run this same host code.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "analysis/head_operator.hpp"
#include "flash_probe.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

// What the operator needs of a device. Every call is synchronous and throws
// Error(Unavailable) with the device's message on failure.
class ProbeDevice {
 public:
  virtual ~ProbeDevice() = default;
  virtual std::string name() const = 0;
  virtual void* allocate(size_t bytes) = 0;
  virtual void release(void* p) noexcept = 0;
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  virtual void zero(void* dst, size_t bytes) = 0;
  virtual void launch(const FlashProbeParams& p) = 0;
};

// Device memory of a ProbeDevice, released with it.
class ProbeBuffer {
 public:
  ProbeBuffer() = default;
  ProbeBuffer(ProbeDevice& device, size_t bytes) : device_(&device), bytes_(bytes), ptr_(bytes ? device.allocate(bytes) : nullptr) {}
  ~ProbeBuffer() {
    if (ptr_) device_->release(ptr_);
  }
  ProbeBuffer(ProbeBuffer&& o) noexcept : device_(o.device_), bytes_(o.bytes_), ptr_(o.ptr_) { o.ptr_ = nullptr; }
  ProbeBuffer& operator=(ProbeBuffer&& o) noexcept {
    std::swap(device_, o.device_);
    std::swap(bytes_, o.bytes_);
    std::swap(ptr_, o.ptr_);
    return *this;
  }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }

 private:
  ProbeDevice* device_ = nullptr;
  size_t bytes_ = 0;
  void* ptr_ = nullptr;
};

// The operator of head `head`, or nullptr with why: A must be a masked
// softmax over the sequence's own keys, which is what a layout says (DESIGN
// §3); its scores are fp32 whatever the run's precision.
std::unique_ptr<HeadOperator> makeFlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const Qkv& qkv, int head,
                                                     const std::vector<std::string>* labels, const ExecContext& host, std::string* why);

}  // namespace attnscope::kernels
