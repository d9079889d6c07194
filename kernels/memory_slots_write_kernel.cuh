// memory_slots' write recurrence on the GPU, serial over segments (each write
// reads the state the previous one left):
//   W = softmax(s M_t K_t^T)  [S x len],   M_{t+1} = g M_t + (1 - g) W V_t
// (the first write replaces: M_1 = W V_0 with M_0 the seeded queries). Each
// state goes into the slot rows of K and V the next segment's read attends,
// so the reads are one flash launch over the extended keys afterwards. The
// last write, M_T, is read by no token; it is kept for the memory trace.
// Scores and weights in fp32 at every precision, exponentials floored at
// e^-80 of the row's largest, as on the CPU. The scores read the segment's
// keys through shared memory, 32 rows at a time (coalesced loads; one key row
// per thread straight from global memory was a separate transaction per
// lane).
// One block per (group of kSlotWriteSlotsPerBlock slots, head): row s of
// M_{t+1} needs only row s of M_t and the segment's K and V, so a block reads
// back only slot rows it wrote itself and blocks never synchronise. The price:
// every group reads the segment's K and V again (through L2). Unmeasured: the
// recurrence is still serial over segments, the first thing to time on a GPU.
//
// The kernel body only: memory_slots_write.cu launches it on a GPU, and the
// CPU suite runs this same source under the emulation (tests/emu/).
#pragma once

#include "cuda_compat.cuh"
#include "memory_slots_params.hpp"

namespace attnscope::kernels::device {

__global__ void __launch_bounds__(kSlotWriteThreads) memorySlotsWrite(SlotWriteParams p) {
  const int head = blockIdx.y;
  const int64_t d = p.d, S = p.slotCount, L = p.segment;
  // This block's slots: s0 + [0, G). Below, s indexes them and every slot-row pointer starts at s0.
  const int64_t s0 = static_cast<int64_t>(blockIdx.x) * kSlotWriteSlotsPerBlock;
  const int64_t G = kSlotWriteSlotsPerBlock < S - s0 ? kSlotWriteSlotsPerBlock : S - s0;
  float* k = p.k + head * p.nKeys * d;
  float* v = p.v + head * p.nKeys * d;
  float* w = p.weights + (head * S + s0) * L;  // [heads, S, segment]: only this block's rows
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = kSlotWriteThreads / 32;
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  float* sK = reinterpret_cast<float*>(smem);  // [kSlotWriteKeyChunk][d + 1]
  const int64_t ks = d + 1;

  for (int64_t t = 0; t < p.segments; ++t) {
    const int64_t a = t * L, len = L < p.n - a ? L : p.n - a;
    // M_t's rows of this block's slots: written by this block at t - 1 (or the shared initial queries).
    const float* m = (t == 0 ? p.initial : k + (p.slotBase + (t - 1) * p.slotStride) * d) + s0 * d;
    for (int64_t c0 = 0; c0 < len; c0 += kSlotWriteKeyChunk) {
      const int64_t rows = kSlotWriteKeyChunk < len - c0 ? kSlotWriteKeyChunk : len - c0;
      for (int64_t idx = threadIdx.x; idx < rows * d; idx += kSlotWriteThreads) sK[(idx / d) * ks + idx % d] = k[(a + c0) * d + idx];
      __syncthreads();
      // Lanes of a warp take consecutive keys of one slot: M's row is a broadcast, K's rows are padded.
      for (int64_t idx = threadIdx.x; idx < G * rows; idx += kSlotWriteThreads) {
        const int64_t s = idx / rows, c = idx % rows;
        const float* ms = m + s * d;
        const float* kc = sK + c * ks;
        float dot = 0.0f;
        for (int64_t x = 0; x < d; ++x) dot += ms[x] * kc[x];
        w[s * L + c0 + c] = dot * p.scale;
      }
      __syncthreads();  // the chunk's keys are no longer read
    }
    // One warp per slot row: max, floored exponentials, normalise (times 1 - g after the first write).
    const float share = t == 0 ? 1.0f : 1.0f - p.gate;
    for (int64_t s = warp; s < G; s += warps) {
      float* row = w + s * L;
      float mx = -INFINITY;
      for (int64_t c = lane; c < len; c += 32) mx = fmaxf(mx, row[c]);
      for (int off = 16; off > 0; off /= 2) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
      float sum = 0.0f;
      for (int64_t c = lane; c < len; c += 32) {
        const float x = row[c] - mx;
        const float e = x < -80.0f ? 0.0f : expf(x);
        row[c] = e;
        sum += e;
      }
      for (int off = 16; off > 0; off /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, off);
      const float factor = share / sum;
      for (int64_t c = lane; c < len; c += 32) row[c] *= factor;
    }
    __syncthreads();
    if (p.provenance) {
      float* prov = p.provenance + (head * S + s0) * p.n;
      for (int64_t idx = threadIdx.x; idx < G * len; idx += kSlotWriteThreads) prov[(idx / len) * p.n + a + idx % len] = w[(idx / len) * L + idx % len];
    }
    const float keep = t == 0 ? 0.0f : p.gate;
    float* nk = k + (p.slotBase + t * p.slotStride + s0) * d;  // M_{t+1}, read by segment t + 1
    float* nv = v + (p.slotBase + t * p.slotStride + s0) * d;
    // V straight from global memory: per j a warp reads one coalesced row piece (d >= 32), which
    // the block's other few slots read again from cache; staging it would save little.
    for (int64_t idx = threadIdx.x; idx < G * d; idx += kSlotWriteThreads) {
      const int64_t s = idx / d, c = idx % d;
      const float* ws = w + s * L;
      float acc = 0.0f;
      for (int64_t j = 0; j < len; ++j) acc += ws[j] * v[(a + j) * d + c];
      const float next = keep * m[s * d + c] + acc;
      nk[s * d + c] = next;
      nv[s * d + c] = next;
    }
    __syncthreads();  // the new state and the freed weights are visible to the next segment
  }
}

}  // namespace attnscope::kernels::device
