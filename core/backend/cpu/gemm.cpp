#include "backend/cpu/gemm.hpp"

#include <algorithm>
#include <vector>

#include "backend/cpu/isa_table.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {
// Depth block 256: C is read and written once per depth block, and for large
// products C lives in DRAM, so a deeper block halves that traffic against 128
// (at m = n = k = 4096, 128 / 256 / 384 measured 321 / 318 / 316 GFLOP per
// CPU-second on both cores, equal within the noise). A tile of C is 96 x 512:
// its A block (96 KiB) and B block (512 KiB) share the 1 MiB L2, and a 256 x 64
// panel of B (64 KiB) serves the tile's 16 row groups in turn.
constexpr int64_t kDepthBlock = 256, kTileRows = 96, kTileCols = 512;
}  // namespace

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
           float beta, float* c, int64_t ldc, ThreadPool* poolArg) {
  if (m < 0 || n < 0 || k < 0) throw Error(ErrorKind::InvalidArgument, "sgemm: negative size");
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) std::fill(row, row + n, 0.0f);
    else if (beta != 1.0f)
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
  if (m == 0 || n == 0 || k == 0 || alpha == 0.0f) return;
  const cpu::IsaTable& kern = cpu::kernels();
  ThreadPool& pool = poolArg ? *poolArg : ThreadPool::shared();
  const int64_t stripes = (n + cpu::kStripe - 1) / cpu::kStripe, nPad = stripes * cpu::kStripe;
  const int64_t rowTiles = (m + kTileRows - 1) / kTileRows, colTiles = (n + kTileCols - 1) / kTileCols;
  std::vector<float> bPacked(static_cast<size_t>(std::min(k, kDepthBlock) * nPad));
  std::vector<float> aPacked(static_cast<size_t>(pool.size() * kTileRows * std::min(k, kDepthBlock)));
  constexpr int64_t kStripesPerTask = 32;
  for (int64_t k0 = 0; k0 < k; k0 += kDepthBlock) {
    const int64_t kk = std::min(kDepthBlock, k - k0);
    const float* bBlock = transB ? b + k0 : b + k0 * ldb;
    pool.parallelFor(0, (stripes + kStripesPerTask - 1) / kStripesPerTask, [&](int64_t t, int) {
      const int64_t c0 = t * kStripesPerTask * cpu::kStripe, c1 = std::min(stripes, (t + 1) * kStripesPerTask) * cpu::kStripe;
      kern.packStripes(bBlock, ldb, transB, kk, n, c0, c1, bPacked.data() + c0 * kk);
    });
    pool.parallelFor(0, rowTiles * colTiles, [&](int64_t t, int worker) {
      const int64_t r0 = (t / colTiles) * kTileRows, c0 = (t % colTiles) * kTileCols;
      const int64_t rows = std::min(kTileRows, m - r0), cols = std::min(kTileCols, n - c0);
      float* ap = aPacked.data() + static_cast<int64_t>(worker) * kTileRows * kk;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t p = 0; p < kk; ++p) ap[i * kk + p] = alpha * (transA ? a[(k0 + p) * lda + r0 + i] : a[(r0 + i) * lda + k0 + p]);
      kern.gemmTile(rows, cols, kk, ap, kk, bPacked.data() + c0 * kk, c + r0 * ldc + c0, ldc);
    });
  }
}

void sgemm(ConstMatRef a, ConstMatRef b, MatRef c, bool transA, bool transB, float alpha, float beta, ThreadPool* pool) {
  const int64_t m = transA ? a.cols() : a.rows(), k = transA ? a.rows() : a.cols();
  const int64_t kb = transB ? b.cols() : b.rows(), n = transB ? b.rows() : b.cols();
  if (k != kb || c.rows() != m || c.cols() != n) throw Error(ErrorKind::InvalidArgument, "sgemm: shapes do not match");
  sgemm(transA, transB, m, n, k, alpha, a.data(), a.outerStride(), b.data(), b.outerStride(), beta, c.data(), c.outerStride(), pool);
}

}  // namespace attnscope
