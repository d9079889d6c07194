// Elementwise and reduction kernels around performer's cuBLAS products. No
// templates: one instantiation each, so this unit compiles quickly. Launch
// shapes are first choices, not measured.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cfloat>

#include "cuda_lowrank.hpp"

namespace attnscope::kernels {

namespace {

constexpr int kWarpsPerBlock = 4;  // performer rows: one warp per row
constexpr int kThreads = 256;      // grid-stride elementwise kernels
constexpr int64_t kMaxBlocks = 65535;

__device__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// The CPU's expShiftedFloor, element by element (expf, not __expf: the fp32
// path is held to 1e-4 of the CPU).
__device__ float expShiftedFloor(float v, float shift, float floor, float floorValue) {
  return fmaxf(expf(fmaxf(v - shift, -floor)) - floorValue, 0.0f);
}

__global__ void performerRows(float* logits, const float* x, int heads, int64_t n, int64_t padRows, int m, int d, float halfNorm, float floor,
                              float* rowMax) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= heads * n) return;  // whole warps leave together: row is uniform in a warp
  const int64_t h = row / n, i = row % n;
  const float* xr = x + row * d;
  float* l = logits + (h * padRows + i) * m;
  float sq = 0.0f;
  for (int c = lane; c < d; c += 32) sq += xr[c] * xr[c];
  const float half = halfNorm * warpSum(sq);
  float mx = -FLT_MAX;
  for (int f = lane; f < m; f += 32) {
    const float v = l[f] - half;
    l[f] = v;
    mx = fmaxf(mx, v);
  }
  mx = warpMax(mx);
  if (rowMax) {
    if (lane == 0) rowMax[row] = mx;
    return;
  }
  const float floorValue = expf(-floor);
  for (int f = lane; f < m; f += 32) l[f] = expShiftedFloor(l[f], mx, floor, floorValue);
}

__global__ void headMax(const float* rowMax, int64_t n, float* shift) {
  __shared__ float part[kThreads / 32];
  const float* r = rowMax + static_cast<int64_t>(blockIdx.x) * n;
  float mx = -FLT_MAX;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) mx = fmaxf(mx, r[i]);
  mx = warpMax(mx);
  if (threadIdx.x % 32 == 0) part[threadIdx.x / 32] = mx;
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kThreads / 32; ++w) mx = fmaxf(mx, part[w]);
    shift[blockIdx.x] = mx;
  }
}

__global__ void keyFeatures(float* logits, int heads, int64_t n, int64_t padRows, int m, const float* shift, float floor) {
  const float floorValue = expf(-floor);
  const int64_t perHead = n * m, total = heads * perHead;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t h = idx / perHead, within = idx % perHead;  // row i = within / m of head h: contiguous up to padRows
    float* l = logits + h * padRows * m + within;
    *l = expShiftedFloor(*l, shift[h], floor, floorValue);
  }
}

__global__ void lowerTriangle(float* local, int64_t count, int c) {
  const int64_t per = static_cast<int64_t>(c) * c, total = count * per;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t within = idx % per;
    if (within % c > within / c) local[idx] = 0.0f;
  }
}

// One thread per (head, state element), walking the chunks in order: the
// same summation order as the CPU's running state.
__global__ void exclusiveChunkScan(float* states, int heads, int64_t chunks, int64_t size) {
  const int64_t total = heads * size;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t h = idx / size, e = idx % size;
    float* s = states + h * chunks * size + e;
    float running = 0.0f;
    for (int64_t c = 0; c < chunks; ++c) {
      const float own = s[c * size];
      s[c * size] = running;
      running += own;
    }
  }
}

__global__ void normaliseRows(const float* num, int heads, int64_t n, int64_t padRows, int dv, float* out) {
  const int64_t total = heads * n * dv;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = idx / dv, c = idx % dv, h = row / n, i = row % n;
    const float* r = num + (h * padRows + i) * (dv + 1);
    const float den = r[dv];
    out[idx] = r[c] * (den > 0.0f ? 1.0f / den : 0.0f);
  }
}

__global__ void roundInPlace(float* x, int64_t count, bool bf16) {
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < count; idx += static_cast<int64_t>(gridDim.x) * blockDim.x)
    x[idx] = bf16 ? __bfloat162float(__float2bfloat16_rn(x[idx])) : __half2float(__float2half_rn(x[idx]));
}

unsigned blocksFor(int64_t work, int threads) {
  const int64_t b = (work + threads - 1) / threads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > kMaxBlocks ? kMaxBlocks : b));
}

int lastError() { return static_cast<int>(cudaGetLastError()); }

}  // namespace

int launchPerformerRows(float* logits, const float* x, int heads, int64_t n, int64_t padRows, int m, int d, float halfNorm, float floor, float* rowMax,
                        FlashStream stream) {
  const int64_t rows = heads * n;
  const int64_t blocks = (rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  if (blocks > 0x7fffffff) return static_cast<int>(cudaErrorInvalidValue);
  performerRows<<<static_cast<unsigned>(blocks), kWarpsPerBlock * 32, 0, stream>>>(logits, x, heads, n, padRows, m, d, halfNorm, floor, rowMax);
  return lastError();
}

int launchHeadMax(const float* rowMax, int heads, int64_t n, float* shift, FlashStream stream) {
  headMax<<<static_cast<unsigned>(heads), kThreads, 0, stream>>>(rowMax, n, shift);
  return lastError();
}

int launchKeyFeatures(float* logits, int heads, int64_t n, int64_t padRows, int m, const float* shift, float floor, FlashStream stream) {
  keyFeatures<<<blocksFor(heads * n * m, kThreads), kThreads, 0, stream>>>(logits, heads, n, padRows, m, shift, floor);
  return lastError();
}

int launchLowerTriangle(float* local, int64_t count, int c, FlashStream stream) {
  lowerTriangle<<<blocksFor(count * c * c, kThreads), kThreads, 0, stream>>>(local, count, c);
  return lastError();
}

int launchExclusiveChunkScan(float* states, int heads, int64_t chunks, int64_t size, FlashStream stream) {
  exclusiveChunkScan<<<blocksFor(heads * size, kThreads), kThreads, 0, stream>>>(states, heads, chunks, size);
  return lastError();
}

int launchRoundInPlace(float* x, int64_t count, FlashElement to, FlashStream stream) {
  if (to == FlashElement::Fp32 || count == 0) return 0;
  roundInPlace<<<blocksFor(count, kThreads), kThreads, 0, stream>>>(x, count, to == FlashElement::Bf16);
  return lastError();
}

int launchNormaliseRows(const float* num, int heads, int64_t n, int64_t padRows, int dv, float* out, FlashStream stream) {
  normaliseRows<<<blocksFor(heads * n * dv, kThreads), kThreads, 0, stream>>>(num, heads, n, padRows, dv, out);
  return lastError();
}

}  // namespace attnscope::kernels
