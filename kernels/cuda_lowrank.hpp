// The CUDA kernels of the low-rank variants (linformer, performer): their
// registration, and the small elementwise device kernels performer needs
// around its cuBLAS products (cuda_lowrank_kernels.cu). A plain header like
// flash_launch.hpp: every launcher returns a cudaError_t as int (0 = success)
// and runs asynchronously on `stream`.
//
// Layouts: every matrix is row-major. Per-token arrays of performer are
// [heads, padRows, width]: padRows >= n rows per head, the rows past n kept
// zero so chunked products can treat every head as whole chunks.
#pragma once

#include <cstdint>

#include "cuda_kernel_table.hpp"
#include "flash_launch.hpp"

namespace attnscope::kernels {

// Registers linformer (projections through cuBLAS, then the flash kernel on
// the k projected keys) and performer (FAVOR+ features through cuBLAS, then
// the two products or the chunked causal scan).
void addLowRankKernels(KernelTable<CudaKernel>& table);
void addLinformerKernel(KernelTable<CudaKernel>& table);
void addPerformerKernel(KernelTable<CudaKernel>& table);

// logits [heads, padRows, m] hold W' x for rows i < n of x [heads, n, d].
// Subtracts halfNorm |x_i|^2 (= |x'|^2 / 2). Queries (rowMax null): then
// phi = max(exp(max(l - rowmax, -floor)) - exp(-floor), 0) in place, the
// CPU's expShiftedFloor with the row's own max. Keys (rowMax given): stores
// each row's max in rowMax [heads * n] and leaves the logits for
// launchKeyFeatures, which needs the head's max over all rows first.
int launchPerformerRows(float* logits, const float* x, int heads, int64_t n, int64_t padRows, int m, int d, float halfNorm, float floor, float* rowMax,
                        FlashStream stream);

// shift[h] = max over rowMax[h * n .. h * n + n): the head's shared key stabiliser.
int launchHeadMax(const float* rowMax, int heads, int64_t n, float* shift, FlashStream stream);

// phi = max(exp(max(l - shift[h], -floor)) - exp(-floor), 0) for rows i < n of each head.
int launchKeyFeatures(float* logits, int heads, int64_t n, int64_t padRows, int m, const float* shift, float floor, FlashStream stream);

// local [count, c, c]: zeroes entries (r, j) with j > r in each c x c block (the causal mask inside a chunk).
int launchLowerTriangle(float* local, int64_t count, int c, FlashStream stream);

// states [heads, chunks, size]: each chunk's state becomes the sum of the
// states of the chunks before it in its head (an exclusive prefix sum, in order).
int launchExclusiveChunkScan(float* states, int heads, int64_t chunks, int64_t size, FlashStream stream);

// x[i] = x[i] rounded to fp16 or bf16 (nearest even) and widened back, so
// fp32 arithmetic after it sees exactly the 16-bit inputs.
int launchRoundInPlace(float* x, int64_t count, FlashElement to, FlashStream stream);

// out [heads, n, dv] = num[.., :dv] / num[.., dv] for num [heads, padRows, dv + 1]
// (0 where the normaliser is not positive, as on the CPU).
int launchNormaliseRows(const float* num, int heads, int64_t n, int64_t padRows, int dv, float* out, FlashStream stream);

}  // namespace attnscope::kernels
