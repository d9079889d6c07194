// The GPU's own roof for the benchmark: cuBLAS GEMM throughput at the run's
// precision (fp32 accumulation; fp32 without TF32, so the fp32 roof is
// honest fp32) and device-memory copy bandwidth, timed with cudaEvents.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "cublas_util.hpp"
#include "cuda_kernel_table.hpp"
#include "device_buffer.hpp"

namespace attnscope::kernels {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Times fn() `repeats` times after one warm-up; milliseconds per call.
template <typename Fn>
std::vector<double> timeRepeats(int repeats, Fn fn) {
  cudaEvent_t start = nullptr, stop = nullptr;
  checkCuda(cudaEventCreate(&start), "cudaEventCreate");
  checkCuda(cudaEventCreate(&stop), "cudaEventCreate");
  fn();
  checkCuda(cudaDeviceSynchronize(), "roof warm-up");
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    checkCuda(cudaEventRecord(start), "cudaEventRecord");
    fn();
    checkCuda(cudaEventRecord(stop), "cudaEventRecord");
    checkCuda(cudaEventSynchronize(stop), "roof timing");
    float t = 0;
    checkCuda(cudaEventElapsedTime(&t, start, stop), "cudaEventElapsedTime");
    ms.push_back(static_cast<double>(t));
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms;
}

}  // namespace

BackendRoof measureCudaRoof(Precision precision, int64_t gemmSize, int repeats) {
  BackendRoof roof;
  const int s = static_cast<int>(std::clamp<int64_t>(gemmSize, 256, 16384));
  roof.gemmSize = s;
  const size_t elems = static_cast<size_t>(s) * static_cast<size_t>(s);
  const cudaDataType type = precision == Precision::Bf16 ? CUDA_R_16BF : precision == Precision::Fp16 ? CUDA_R_16F : CUDA_R_32F;
  const size_t elemBytes = precision == Precision::Fp32 ? 4 : 2;
  roof.gemmPath = std::string("cuBLAS GemmEx ") + precisionName(precision) + " inputs, fp32 accumulation";
  {
    DeviceArray<unsigned char> a(nullptr, elems * elemBytes), b(nullptr, elems * elemBytes), c(nullptr, elems * 4);
    // Zero inputs would let nothing but the schedule be measured; the values do not matter for the time.
    checkCuda(cudaMemset(a.get(), 0x3c, a.bytes()), "cudaMemset");
    checkCuda(cudaMemset(b.get(), 0x3c, b.bytes()), "cudaMemset");
    cublasHandle_t handle = nullptr;
    checkCublas(cublasCreate(&handle), "create");
    const float one = 1.0f, zero = 0.0f;
    std::vector<double> ms;
    try {
      ms = timeRepeats(std::max(1, repeats), [&] {
        checkCublas(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, s, s, s, &one, a.get(), type, s, b.get(), type, s, &zero, c.get(), CUDA_R_32F, s,
                                 CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                    "GemmEx");
      });
    } catch (...) {
      cublasDestroy(handle);
      throw;
    }
    cublasDestroy(handle);
    const double flops = 2.0 * s * static_cast<double>(s) * s;
    roof.gemmGflops = flops / (*std::min_element(ms.begin(), ms.end()) * 1e-3) / 1e9;
    roof.gemmMedianGflops = flops / (median(ms) * 1e-3) / 1e9;
  }
  {
    const size_t bytes = size_t{1} << 30;  // far beyond the L2 of any current GPU
    DeviceArray<unsigned char> src(nullptr, bytes), dst(nullptr, bytes);
    checkCuda(cudaMemset(src.get(), 1, bytes), "cudaMemset");
    const std::vector<double> ms = timeRepeats(std::max(2, repeats), [&] {
      checkCuda(cudaMemcpyAsync(dst.get(), src.get(), bytes, cudaMemcpyDeviceToDevice), "device copy");
    });
    roof.copyBytes = static_cast<int64_t>(2 * bytes);  // read + write
    roof.copyGBs = static_cast<double>(roof.copyBytes) / (*std::min_element(ms.begin(), ms.end()) * 1e-3) / 1e9;
    roof.copyMedianGBs = static_cast<double>(roof.copyBytes) / (median(ms) * 1e-3) / 1e9;
  }
  return roof;
}

}  // namespace attnscope::kernels
