// Block-sparse flash forward, fp16/bf16 on tensor cores: mma.sync.m16n8k16
// (sm_80 and later) with fp32 accumulation. Same walk as the fp32 kernel
// (flash_common.cuh): each warp owns 16 query rows, the block's 4 warps share
// each chunk of K (row-major) and V (transposed, so a B fragment is one
// 32-bit load) in shared memory. S = Q K^T stays in registers; its C
// fragments become P's A fragments without a trip through shared memory, as
// in FlashAttention-2. Fragments are read with plain 32-bit loads (no
// ldmatrix): simpler to get right first, a candidate to change once measured.
//
// The kernel body only: flash_fwd_mma.cu launches it on a GPU, and the CPU
// suite runs this same source under the emulation (tests/emu/).
#pragma once

#include <cstdint>

#include "cuda_compat.cuh"
#include "flash_common.cuh"
#include "flash_traits.hpp"
#include "mma_sm80.cuh"
#include "tile_math.hpp"

namespace attnscope::kernels::device {

// Element u (0..7) of eight 16-bit values in a 16-byte vector, without
// reading the vector through a 16-bit pointer (type punning that a host
// compiler may optimise away; u is a constant after unrolling, so this is free).
__device__ __forceinline__ uint16_t element16(const uint4& v, int u) {
  const unsigned word = u < 2 ? v.x : u < 4 ? v.y : u < 6 ? v.z : v.w;
  return static_cast<uint16_t>(u % 2 ? word >> 16 : word & 0xFFFFu);
}

template <int D, int DV, bool Bf16>
__global__ void __launch_bounds__(FlashMmaTraits<D, DV>::kThreads) flashForwardMma(FlashParams p) {
  using T = FlashMmaTraits<D, DV>;
  constexpr int kVec = 8;  // 16-bit elements per 16-byte load
  constexpr int kVecPerRow = D / kVec;
  constexpr int kVecPerValueRow = DV / kVec;
  ATTNSCOPE_DYNAMIC_SHARED(smem);
  uint16_t* sQ = reinterpret_cast<uint16_t*>(smem);
  uint16_t* sK = reinterpret_cast<uint16_t*>(smem + T::kSmemQ);
  uint16_t* sVt = reinterpret_cast<uint16_t*>(smem + T::kSmemQ + T::kSmemK);
  const flash::SlotTable slotTable = flash::slotTableAt(smem + T::kSmemQ + T::kSmemK + T::kSmemVt, T::kBlockN);

  const FlashLayoutView& lay = p.layout;
  const int head = blockIdx.y;
  const FlashQueryTile tile = flash::queryTileOf(lay, T::kBlockM);
  const uint16_t* q = static_cast<const uint16_t*>(p.q) + head * p.qHeadStride;
  const uint16_t* k = static_cast<const uint16_t*>(p.k) + head * p.kHeadStride;
  const uint16_t* v = static_cast<const uint16_t*>(p.v) + head * p.vHeadStride;

  for (int idx = threadIdx.x; idx < T::kBlockM * kVecPerRow; idx += T::kThreads) {
    const int r = idx / kVecPerRow, c8 = idx % kVecPerRow;
    const int64_t i = tile.rowBegin + r;
    uint4 val = make_uint4(0u, 0u, 0u, 0u);
    if (i < tile.rowLimit) val = *reinterpret_cast<const uint4*>(q + i * p.qRowStride + c8 * kVec);
    *reinterpret_cast<uint4*>(sQ + r * T::kQStride + c8 * kVec) = val;
  }

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2, tig = lane & 3;  // fragment row group and thread-in-group (PTX ISA names)
  const int64_t warpRow0 = tile.rowBegin + 16 * warp;
  const bool warpActive = warpRow0 < tile.rowLimit;  // uniform over the warp
  int64_t row[2] = {warpRow0 + g, warpRow0 + g + 8};
  bool rowValid[2], rowGlobal[2];
  for (int h = 0; h < 2; ++h) {
    rowValid[h] = row[h] < tile.rowLimit;
    rowGlobal[h] = rowValid[h] && flashGlobalRow(lay, head, row[h]);
  }

  float oAcc[T::kOutTiles][4];
#pragma unroll
  for (int t = 0; t < T::kOutTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) oAcc[t][e] = 0.0f;
  RowState st[2] = {initialRowState(), initialRowState()};  // l: this thread's share of the row

  const int64_t entryBegin = flashRowBegin(lay, head, tile.qb);
  const int64_t virtualKeys = (flashRowEnd(lay, head, tile.qb) - entryBegin) * lay.block;
  for (int64_t t0 = 0; t0 < virtualKeys; t0 += T::kBlockN) {
    __syncthreads();  // the previous chunk is no longer read
    const bool localNeed = flash::fillSlots(lay, head, entryBegin, virtualKeys, t0, T::kBlockN, tile.rowBegin, slotTable);
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerRow; idx += T::kThreads) {
      const int c = idx / kVecPerRow, c8 = idx % kVecPerRow;
      int64_t entry;
      const int64_t j = t0 + c < virtualKeys ? flash::slotKey(lay, entryBegin, t0 + c, &entry) : -1;
      uint4 kv = make_uint4(0u, 0u, 0u, 0u);
      if (j >= 0) kv = *reinterpret_cast<const uint4*>(k + j * p.kRowStride + c8 * kVec);
      *reinterpret_cast<uint4*>(sK + c * T::kKStride + c8 * kVec) = kv;
    }
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerValueRow; idx += T::kThreads) {
      const int c = idx / kVecPerValueRow, c8 = idx % kVecPerValueRow;
      int64_t entry;
      const int64_t j = t0 + c < virtualKeys ? flash::slotKey(lay, entryBegin, t0 + c, &entry) : -1;
      uint4 vv = make_uint4(0u, 0u, 0u, 0u);
      if (j >= 0) vv = *reinterpret_cast<const uint4*>(v + j * p.vRowStride + c8 * kVec);
#pragma unroll
      for (int u = 0; u < kVec; ++u) sVt[(c8 * kVec + u) * T::kVtStride + c] = element16(vv, u);
    }
    const bool needsMask = __syncthreads_or(localNeed) != 0;
    if (!warpActive) continue;

    float sAcc[T::kScoreTiles][4];
#pragma unroll
    for (int t = 0; t < T::kScoreTiles; ++t)
#pragma unroll
      for (int e = 0; e < 4; ++e) sAcc[t][e] = 0.0f;
#pragma unroll
    for (int ks = 0; ks < D / 16; ++ks) {
      const uint16_t* qa = sQ + (16 * warp + g) * T::kQStride + ks * 16 + tig * 2;
      const uint32_t a[4] = {load32(qa), load32(qa + 8 * T::kQStride), load32(qa + 8), load32(qa + 8 * T::kQStride + 8)};
#pragma unroll
      for (int nt = 0; nt < T::kScoreTiles; ++nt) {
        const uint16_t* kb = sK + (nt * 8 + g) * T::kKStride + ks * 16 + tig * 2;
        mma16816<Bf16>(sAcc[nt], a, load32(kb), load32(kb + 8));
      }
    }

    // Scale, mask, and fold into the two rows this thread holds (elements 0,1: row g; 2,3: row g + 8).
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      float chunkMax = -INFINITY;
#pragma unroll
      for (int nt = 0; nt < T::kScoreTiles; ++nt)
#pragma unroll
        for (int e = 2 * h; e < 2 * h + 2; ++e) {
          float x = sAcc[nt][e] * p.scale;
          if (needsMask && !(rowValid[h] && flash::slotAllows(lay, slotTable, nt * 8 + tig * 2 + (e & 1), row[h], rowGlobal[h]))) x = -INFINITY;
          sAcc[nt][e] = x;
          chunkMax = fmaxf(chunkMax, x);
        }
      // The 4 threads of a fragment row group hold the row's other columns.
      chunkMax = fmaxf(chunkMax, __shfl_xor_sync(0xffffffffu, chunkMax, 1));
      chunkMax = fmaxf(chunkMax, __shfl_xor_sync(0xffffffffu, chunkMax, 2));
      const float rescale = onlineSoftmaxRescale(st[h], chunkMax);
#pragma unroll
      for (int t = 0; t < T::kOutTiles; ++t) {
        oAcc[t][2 * h] *= rescale;
        oAcc[t][2 * h + 1] *= rescale;
      }
      float share = 0.0f;
#pragma unroll
      for (int nt = 0; nt < T::kScoreTiles; ++nt)
#pragma unroll
        for (int e = 2 * h; e < 2 * h + 2; ++e) {
          sAcc[nt][e] = chunkWeight(st[h], sAcc[nt][e]);
          share += sAcc[nt][e];
        }
      st[h].l += share;
    }

    // O += P V, P's A fragment for keys [16 kk, 16 kk + 16) from score tiles 2 kk and 2 kk + 1.
#pragma unroll
    for (int kk = 0; kk < T::kBlockN / 16; ++kk) {
      const uint32_t a[4] = {pack2<Bf16>(sAcc[2 * kk][0], sAcc[2 * kk][1]), pack2<Bf16>(sAcc[2 * kk][2], sAcc[2 * kk][3]),
                             pack2<Bf16>(sAcc[2 * kk + 1][0], sAcc[2 * kk + 1][1]), pack2<Bf16>(sAcc[2 * kk + 1][2], sAcc[2 * kk + 1][3])};
#pragma unroll
      for (int t = 0; t < T::kOutTiles; ++t) {
        const uint16_t* vb = sVt + (t * 8 + g) * T::kVtStride + kk * 16 + tig * 2;
        mma16816<Bf16>(oAcc[t], a, load32(vb), load32(vb + 8));
      }
    }
  }

  if (!warpActive) return;  // after the loop: every thread took part in each barrier
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float l = st[h].l;
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    if (!rowValid[h]) continue;
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;  // a row with no allowed key is zero, as on the CPU
    float* o = p.o + head * p.oHeadStride + row[h] * p.oRowStride;
#pragma unroll
    for (int t = 0; t < T::kOutTiles; ++t) {
      o[t * 8 + tig * 2] = oAcc[t][2 * h] * inv;
      o[t * 8 + tig * 2 + 1] = oAcc[t][2 * h + 1] * inv;
    }
    if (p.lse && tig == 0) p.lse[head * p.lseHeadStride + row[h]] = rowLogSumExp(RowState{st[h].m, l});
  }
}

// fp32 -> fp16/bf16 (round to nearest even), grid-stride: the kernel above reads 16-bit Q, K, V.
template <bool Bf16>
__global__ void convertFromFp32(const float* src, uint16_t* dst, int64_t count) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step) {
    if constexpr (Bf16) dst[i] = __bfloat16_as_ushort(__float2bfloat16_rn(src[i]));
    else dst[i] = __half_as_ushort(__float2half_rn(src[i]));
  }
}

}  // namespace attnscope::kernels::device
