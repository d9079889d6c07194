// cuBLAS for the CUDA backend: status checks that become Errors with
// cuBLAS's own message, a per-thread handle, and row-major strided batched
// SGEMM and its 16-bit tensor-core form (the kernels keep every matrix
// row-major, as core does).
#pragma once

#include <cublas_v2.h>

#include <string>

#include "common/error.hpp"

namespace attnscope::kernels {

inline void checkCublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw Error(ErrorKind::Unavailable, std::string("cuBLAS ") + what + " failed: " + cublasGetStatusString(status) + " (status " +
                                            std::to_string(static_cast<int>(status)) + ")");
}

// RAII over one cublasHandle_t.
class CublasHandle {
 public:
  CublasHandle() {
    checkCublas(cublasCreate(&handle_), "create");
    // Plain fp32 (no TF32 tensor-core rounding), so the fp32 kernels match the
    // CPU to 1e-4; the fp16/bf16 paths convert their inputs themselves.
    checkCublas(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH), "set math mode");
  }
  ~CublasHandle() {
    if (handle_) cublasDestroy(handle_);
  }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  cublasHandle_t get() const { return handle_; }

 private:
  cublasHandle_t handle_ = nullptr;
};

// This thread's handle, created on first use and kept: creating one costs
// far more than a short run, and a handle must not be shared between threads
// that use it at once. It works on the default stream.
inline cublasHandle_t threadCublas() {
  thread_local CublasHandle handle;
  return handle.get();
}

// Row-major C[M x N] = op(A) op(B) + beta C for `batch` matrices at element
// strides strideA/B/C (0: the same matrix for every batch entry). Row-major X
// is column-major X^T, so cuBLAS computes C^T = op(B)^T op(A)^T: operands and
// M/N swap, the transpose flags stay.
inline void gemmRowMajor(cublasHandle_t h, bool transA, bool transB, int M, int N, int K, const float* A, int lda, long long strideA, const float* B,
                         int ldb, long long strideB, float beta, float* C, int ldc, long long strideC, int batch, const char* what) {
  const float one = 1.0f;
  checkCublas(cublasSgemmStridedBatched(h, transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &one, B, ldb, strideB, A, lda,
                                        strideA, &beta, C, ldc, strideC, batch),
              what);
}

// The same with 16-bit A and B (type: CUDA_R_16F or CUDA_R_16BF) on tensor
// cores, fp32 accumulation and an fp32 C.
inline void gemmRowMajor16(cublasHandle_t h, cudaDataType type, bool transA, bool transB, int M, int N, int K, const void* A, int lda, long long strideA,
                           const void* B, int ldb, long long strideB, float beta, float* C, int ldc, long long strideC, int batch, const char* what) {
  const float one = 1.0f;
  checkCublas(cublasGemmStridedBatchedEx(h, transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &one, B, type, ldb, strideB, A,
                                         type, lda, strideA, &beta, C, CUDA_R_32F, ldc, strideC, batch, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
              what);
}

}  // namespace attnscope::kernels
