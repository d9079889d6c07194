// Single-precision GEMM for the CPU backend, row-major throughout:
//   C[m x n] = alpha * op(A) * op(B) + beta * C,  op(X) = X or X^T.
// Runs on the ISA chosen at start-up (cpu_isa.hpp) and splits C over the
// shared thread pool. Used for the machine's roof in `bench` and for the
// factor products of linformer and performer.
#pragma once

#include <cstdint>

#include "common/types.hpp"

namespace attnscope {

class ThreadPool;

// Raw form. a is [m x k] (transA: [k x m]) with row stride lda; b is [k x n]
// (transB: [n x k]) with row stride ldb; c is [m x n] with row stride ldc.
// beta == 0 ignores C's previous contents (NaNs included). pool == nullptr
// uses ThreadPool::shared(); a call from inside a pool task runs serially.
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
           float beta, float* c, int64_t ldc, ThreadPool* pool = nullptr);

// Eigen form: c = alpha * op(a) * op(b) + beta * c. c must already have the
// product's shape.
void sgemm(ConstMatRef a, ConstMatRef b, MatRef c, bool transA = false, bool transB = false, float alpha = 1.0f, float beta = 0.0f,
           ThreadPool* pool = nullptr);

}  // namespace attnscope
