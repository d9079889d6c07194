// RAII device memory that counts its bytes, so the CUDA backend reports its
// peak device workspace the way the CPU backend reports host workspace.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>
#include <utility>

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

// RAII device array of T (any trivially copyable type), counted like DeviceBuffer.
template <typename T>
class DeviceArray {
 public:
  DeviceArray() = default;
  DeviceArray(MemoryMeter* meter, size_t count) : meter_(meter), count_(count) {
    if (count_ == 0) return;
    checkCuda(cudaMalloc(reinterpret_cast<void**>(&ptr_), bytes()), "cudaMalloc");
    if (meter_) meter_->add(static_cast<int64_t>(bytes()));
  }
  // Allocates and copies host data (synchronously).
  DeviceArray(MemoryMeter* meter, const T* host, size_t count) : DeviceArray(meter, count) {
    if (count_) checkCuda(cudaMemcpy(ptr_, host, bytes(), cudaMemcpyHostToDevice), "copy to device");
  }
  ~DeviceArray() { release(); }
  DeviceArray(DeviceArray&& other) noexcept { *this = std::move(other); }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    if (this != &other) {
      release();
      meter_ = other.meter_;
      count_ = other.count_;
      ptr_ = other.ptr_;
      other.ptr_ = nullptr;
      other.count_ = 0;
    }
    return *this;
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  T* get() const { return ptr_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }

 private:
  void release() {
    if (!ptr_) return;
    cudaFree(ptr_);
    if (meter_) meter_->sub(static_cast<int64_t>(bytes()));
    ptr_ = nullptr;
  }
  MemoryMeter* meter_ = nullptr;
  size_t count_ = 0;
  T* ptr_ = nullptr;
};

}  // namespace attnscope::kernels
