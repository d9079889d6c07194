// Block-sparse flash forward, fp16/bf16 on tensor cores: mma.sync.m16n8k16
// (sm_80 and later) with fp32 accumulation. Same walk as the fp32 kernel
// (flash_common.cuh): each warp owns 16 query rows, the block's 4 warps share
// each chunk of K (row-major) and V (transposed, so a B fragment is one
// 32-bit load) in shared memory. S = Q K^T stays in registers; its C
// fragments become P's A fragments without a trip through shared memory, as
// in FlashAttention-2. Fragments are read with plain 32-bit loads (no
// ldmatrix): simpler to get right first, a candidate to change once measured.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "flash_common.cuh"
#include "flash_launch.hpp"
#include "flash_traits.hpp"
#include "tile_math.hpp"

namespace attnscope::kernels {

namespace {

// D (16x8, fp32) += A (16x16, row-major) * B (16x8, column-major), fragments per the PTX ISA.
template <bool Bf16>
__device__ __forceinline__ void mma16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (Bf16) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
#else
  // Never built for a GPU without mma.sync: flashSupports refuses compute capability < 8.0.
  (void)c;
  (void)a;
  (void)b0;
  (void)b1;
  __trap();
#endif
}

// Two fp32 values as one register of two 16-bit values; lo (the lower column) in the low half.
template <bool Bf16>
__device__ __forceinline__ uint32_t pack2(float lo, float hi) {
  if constexpr (Bf16) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
  } else {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
  }
}

__device__ __forceinline__ uint32_t load32(const uint16_t* p) { return *reinterpret_cast<const uint32_t*>(p); }

template <int D, bool Bf16>
__global__ void __launch_bounds__(FlashMmaTraits<D>::kThreads) flashForwardMma(FlashParams p) {
  using T = FlashMmaTraits<D>;
  constexpr int kVec = 8;  // 16-bit elements per 16-byte load
  constexpr int kVecPerRow = D / kVec;
  extern __shared__ __align__(16) unsigned char smem[];
  uint16_t* sQ = reinterpret_cast<uint16_t*>(smem);
  uint16_t* sK = reinterpret_cast<uint16_t*>(smem + T::kSmemQ);
  uint16_t* sVt = reinterpret_cast<uint16_t*>(smem + T::kSmemQ + T::kSmemK);
  const flash::SlotTable slots = flash::slotTableAt(smem + T::kSmemQ + T::kSmemK + T::kSmemVt, T::kBlockN);

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
    const bool localNeed = flash::fillSlots(lay, head, entryBegin, virtualKeys, t0, T::kBlockN, tile.rowBegin, slots);
    for (int idx = threadIdx.x; idx < T::kBlockN * kVecPerRow; idx += T::kThreads) {
      const int c = idx / kVecPerRow, c8 = idx % kVecPerRow;
      int64_t entry;
      const int64_t j = t0 + c < virtualKeys ? flash::slotKey(lay, entryBegin, t0 + c, &entry) : -1;
      uint4 kv = make_uint4(0u, 0u, 0u, 0u), vv = make_uint4(0u, 0u, 0u, 0u);
      if (j >= 0) {
        kv = *reinterpret_cast<const uint4*>(k + j * p.kRowStride + c8 * kVec);
        vv = *reinterpret_cast<const uint4*>(v + j * p.vRowStride + c8 * kVec);
      }
      *reinterpret_cast<uint4*>(sK + c * T::kKStride + c8 * kVec) = kv;
      const uint16_t* ve = reinterpret_cast<const uint16_t*>(&vv);
#pragma unroll
      for (int u = 0; u < kVec; ++u) sVt[(c8 * kVec + u) * T::kVtStride + c] = ve[u];
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
          if (needsMask && !(rowValid[h] && flash::slotAllows(lay, slots, nt * 8 + tig * 2 + (e & 1), row[h], rowGlobal[h]))) x = -INFINITY;
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

template <int D, bool Bf16>
int launchMma(const FlashParams& p, cudaStream_t stream) {
  using T = FlashMmaTraits<D>;
  const auto kernel = flashForwardMma<D, Bf16>;
  cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(T::kSmemBytes));
  if (status != cudaSuccess) return static_cast<int>(status);
  const dim3 grid(static_cast<unsigned>(p.layout.rowBlocks * flashTilesPerBlock(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads));
  kernel<<<grid, T::kThreads, T::kSmemBytes, stream>>>(p);
  return static_cast<int>(cudaGetLastError());
}

template <bool Bf16>
__global__ void convertFromFp32(const float* src, uint16_t* dst, int64_t count) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step) {
    if constexpr (Bf16) dst[i] = __bfloat16_as_ushort(__float2bfloat16_rn(src[i]));
    else dst[i] = __half_as_ushort(__float2half_rn(src[i]));
  }
}

}  // namespace

int launchFlashForwardMma(const FlashParams& p, FlashStream stream) {
  const bool bf16 = p.element == FlashElement::Bf16;
  switch (p.d) {
    case 32: return bf16 ? launchMma<32, true>(p, stream) : launchMma<32, false>(p, stream);
    case 64: return bf16 ? launchMma<64, true>(p, stream) : launchMma<64, false>(p, stream);
    case 128: return bf16 ? launchMma<128, true>(p, stream) : launchMma<128, false>(p, stream);
    default: return static_cast<int>(cudaErrorInvalidValue);
  }
}

int launchConvertFromFp32(const float* src, void* dst, int64_t count, FlashElement to, FlashStream stream) {
  if (count <= 0) return static_cast<int>(cudaSuccess);
  if (to == FlashElement::Fp32 || !src || !dst) return static_cast<int>(cudaErrorInvalidValue);
  constexpr int kThreads = 256;
  const int64_t wanted = (count + kThreads - 1) / kThreads;
  const unsigned blocks = static_cast<unsigned>(wanted < 4096 ? wanted : 4096);  // grid-stride beyond
  if (to == FlashElement::Bf16) convertFromFp32<true><<<blocks, kThreads, 0, stream>>>(src, static_cast<uint16_t*>(dst), count);
  else convertFromFp32<false><<<blocks, kThreads, 0, stream>>>(src, static_cast<uint16_t*>(dst), count);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace attnscope::kernels
