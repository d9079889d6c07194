// What the GPU suites share: why there is no device to run on ("" when there is one).
#pragma once

#include <cuda_runtime.h>

#include <string>

namespace attnscope::testing {

inline std::string noDeviceReason() {
  int count = 0;  // untouched when there is no driver
  const cudaError_t st = cudaGetDeviceCount(&count);
  if (st != cudaSuccess) {
    cudaGetLastError();
    return std::string("no usable CUDA device: ") + cudaGetErrorString(st);
  }
  return count == 0 ? "no CUDA device found" : "";
}

}  // namespace attnscope::testing
