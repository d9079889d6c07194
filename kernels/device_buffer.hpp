// RAII device memory that counts its bytes, so the CUDA backend reports its
// peak device workspace the way the CPU backend reports host workspace.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope::kernels {

inline void checkCuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw Error(ErrorKind::Unavailable, std::string("cuda: ") + what + ": " + cudaGetErrorString(status));
}

class DeviceBuffer {
 public:
  DeviceBuffer(MemoryMeter* meter, size_t floats) : meter_(meter), bytes_(floats * sizeof(float)) {
    if (bytes_ == 0) return;
    checkCuda(cudaMalloc(&ptr_, bytes_), "cudaMalloc");
    if (meter_) meter_->add(static_cast<int64_t>(bytes_));
  }
  ~DeviceBuffer() {
    if (ptr_) {
      cudaFree(ptr_);
      if (meter_) meter_->sub(static_cast<int64_t>(bytes_));
    }
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  float* get() const { return static_cast<float*>(ptr_); }
  size_t bytes() const { return bytes_; }

 private:
  MemoryMeter* meter_;
  size_t bytes_;
  void* ptr_ = nullptr;
};

}  // namespace attnscope::kernels
