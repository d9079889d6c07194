// The CUDA backend's head operator for the analysis: the flash probe's and the
// factored operator's host code (flash_probe_operator.cpp,
// lowrank_probe_operator.cpp) on a real device.
#include <cuda_runtime.h>

#include "cuda_head_operator.hpp"
#include "device_buffer.hpp"
#include "lowrank_probe_operator.hpp"

namespace attnscope::kernels {

namespace {

class CudaProbeDevice final : public ProbeDevice {
 public:
  std::string name() const override { return "cuda"; }
  void* allocate(size_t bytes) override {
    void* p = nullptr;
    checkCuda(cudaMalloc(&p, bytes), "cudaMalloc (analysis operator)");
    return p;
  }
  void release(void* p) noexcept override { cudaFree(p); }
  void upload(void* dst, const void* src, size_t bytes) override { checkCuda(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy to device"); }
  void download(void* dst, const void* src, size_t bytes) override {
    checkCuda(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy from device");
  }
  void zero(void* dst, size_t bytes) override { checkCuda(cudaMemset(dst, 0, bytes), "cudaMemset"); }
  void launch(const FlashProbeParams& p) override {
    checkCuda(static_cast<cudaError_t>(launchFlashProbe(p, nullptr)), "flash probe launch");
    checkCuda(cudaDeviceSynchronize(), "flash probe");
  }
  void launch(const LowRankMapParams& p) override {
    checkCuda(static_cast<cudaError_t>(launchLowRankMap(p, nullptr)), "low-rank map launch");
    checkCuda(cudaDeviceSynchronize(), "low-rank map");
  }
};

}  // namespace

std::unique_ptr<ProbeDevice> cudaProbeDevice() { return std::make_unique<CudaProbeDevice>(); }

std::unique_ptr<HeadOperator> cudaHeadOperator(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels,
                                               const ExecContext& host, std::string* why) {
  return makeDeviceHeadOperator(std::make_unique<CudaProbeDevice>(), spec, qkv, head, labels, host, why);
}

}  // namespace attnscope::kernels
