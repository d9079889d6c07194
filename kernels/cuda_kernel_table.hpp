// The CUDA backend's side of the (backend, variant) kernel table: a kernel
// runs one variant over every head of a Qkv (all heads in one launch where it
// can). The backend's supports() and run() both ask cudaKernels().choose().
#pragma once

#include "backend/backend.hpp"
#include "backend/kernel_table.hpp"

namespace attnscope::kernels {

class CudaKernel {
 public:
  virtual ~CudaKernel() = default;
  virtual AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const = 0;
};

// Filled once, in a fixed order (cuda_backend.cpp): the flash kernel first,
// the plain fp32 dense kernel as the fallback for head widths flash lacks.
KernelTable<CudaKernel>& cudaKernels();

// Registers the block-sparse flash kernel for dense and every mask-based variant.
void addFlashKernels(KernelTable<CudaKernel>& table);

// hierarchical on the flash kernel, over keys extended with block summaries (cuda_hierarchical.cpp).
void addHierarchicalKernel(KernelTable<CudaKernel>& table);

// transformer_xl on the flash kernel, position terms folded into Q and K (cuda_transformer_xl.cpp).
void addTransformerXlKernel(KernelTable<CudaKernel>& table);

// memory_slots: the write recurrence on the device, then the reads on the flash kernel (cuda_memory_slots.cpp).
void addMemorySlotsKernel(KernelTable<CudaKernel>& table);

// topk_dynamic with its key blocks chosen on the device (cuda_topk_dynamic.cpp).
void addTopkDynamicKernel(KernelTable<CudaKernel>& table);

// The device's roof for the benchmark (cuda_roof.cpp): cuBLAS GEMM at this
// precision and device-memory copy bandwidth. Needs a device.
BackendRoof measureCudaRoof(Precision precision, int64_t gemmSize, int repeats);

// Compute capability of device 0 as major * 10 + minor (0 when there is no device).
int deviceComputeCapability();

}  // namespace attnscope::kernels
