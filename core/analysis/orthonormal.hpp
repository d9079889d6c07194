// Thin QR of a tall n x l block (n >> l), for the randomized spectrum's range
// finder: Y = Q R with Q's columns orthonormal.
#pragma once

#include <Eigen/Core>

#include "common/types.hpp"

namespace attnscope {

class ThreadPool;

// CholeskyQR2: G = Y^T Y accumulated in double over row blocks on the pool,
// R1 = chol(G), Q1 = Y R1^-1 (float GEMM), then once more on Q1 (whose Gram is
// near I, so float is enough), R = R2 R1. It costs about 4 n l^2 flops in
// GEMMs, against a Householder QR's 4 n l^2 plus 4 n l^2 to form Q, all in
// Eigen's double products (SSE2 in this build, one thread); its memory is a
// few l x l matrices instead of two n x l double copies. Falls back to
// Householder when Y is numerically rank-deficient (its Gram not positive
// definite, or R1's diagonal spanning more than 1e6), where CholeskyQR loses
// orthogonality.
Mat orthonormalColumns(const Mat& y, ThreadPool& pool);

// R [l x l] of the same factorisation, without forming Q.
Eigen::MatrixXd triangularFactor(const Mat& y, ThreadPool& pool);

}  // namespace attnscope
