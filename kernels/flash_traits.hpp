// Tile shapes of the flash forward kernels and the shared memory they imply.
// Every choice here is a first choice, not yet measured on a GPU: each is
// marked with what it trades, so a profiling run knows what to vary.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attnscope::kernels {

// Largest dynamic shared memory any supported architecture grants a block
// after opting in (sm_86/sm_89: 99 KiB; sm_80: 163 KiB; sm_90: 227 KiB).
// Keeping under the smallest lets one binary run on all of them.
inline constexpr size_t kFlashSharedLimit = 99 * 1024;

// Per key slot of a chunk, the kernels stage where it came from: bits offset
// (int64), key index (int32, -1 = padding), tile kind and column-global flag.
inline constexpr size_t kFlashSlotBytes = sizeof(int64_t) + sizeof(int32_t) + 2;

// fp32 path on CUDA cores (SIMT). Four threads share a query row: each scores
// a quarter of the chunk's keys and owns a quarter of the output columns, so
// a row's state stays inside one warp and needs only shuffles.
template <int HeadDim>
struct FlashFp32Traits {
  static_assert(HeadDim == 32 || HeadDim == 64 || HeadDim == 128, "fp32 flash kernel: d must be 32, 64 or 128");
  static constexpr int kHeadDim = HeadDim;
  // First choice, unmeasured: 32 x 32 tiles keep the fp32 K and V tiles of
  // d = 128 near 32 KiB, so two blocks can share an SM; larger tiles reuse Q
  // and K more but hold more shared memory per block.
  static constexpr int kBlockM = 32;
  static constexpr int kBlockN = 32;
  static constexpr int kThreadsPerRow = 4;
  static constexpr int kThreads = kBlockM * kThreadsPerRow;
  static constexpr int kKeysPerThread = kBlockN / kThreadsPerRow;
  static constexpr int kColsPerThread = HeadDim / kThreadsPerRow;
  // +1 padding: the 8 rows a warp reads at once then fall in 8 different banks.
  static constexpr int kQStride = HeadDim + 1;
  static constexpr int kKStride = HeadDim + 1;
  static constexpr int kVStride = HeadDim;  // a row's 4 threads read 4 consecutive words; rows broadcast
  static constexpr size_t kSmemQ = sizeof(float) * kBlockM * kQStride;
  static constexpr size_t kSmemK = sizeof(float) * kBlockN * kKStride;
  static constexpr size_t kSmemV = sizeof(float) * kBlockN * kVStride;
  static constexpr size_t kSmemSlots = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemBytes = kSmemQ + kSmemK + kSmemV + kSmemSlots;
  static_assert(kThreads % 32 == 0, "whole warps");
  static_assert(kBlockN % kThreadsPerRow == 0 && HeadDim % kThreadsPerRow == 0, "keys and columns split evenly over a row's threads");
  static_assert((kSmemQ + kSmemK + kSmemV) % 8 == 0, "slot arrays start 8-byte aligned");
  static_assert(kSmemBytes <= kFlashSharedLimit, "fp32 tiles exceed the shared-memory budget");
};

// fp16/bf16 path on tensor cores through mma.sync.m16n8k16 (sm_80+), fp32
// accumulation. Each warp owns 16 query rows; the block's warps share the K
// and V chunk in shared memory.
template <int HeadDim>
struct FlashMmaTraits {
  static_assert(HeadDim == 32 || HeadDim == 64 || HeadDim == 128, "mma flash kernel: d must be 32, 64 or 128");
  static constexpr int kHeadDim = HeadDim;
  // First choice, unmeasured: 4 warps x 16 rows = 64 query rows, the shape
  // FlashAttention-2 starts from on sm_80; 8 warps / 128 rows is the obvious
  // next candidate for d = 64 and 128 once it can be measured.
  static constexpr int kWarps = 4;
  static constexpr int kBlockM = 16 * kWarps;
  // First choice, unmeasured: 64 keys per chunk matches the dense layout's
  // block (64), so dense chunks never straddle two tiles.
  static constexpr int kBlockN = 64;
  static constexpr int kThreads = 32 * kWarps;
  // +8 elements (16 bytes) per row: rows stay 16-byte aligned for vector
  // stores, and the 8 rows of one fragment load land in different banks.
  static constexpr int kQStride = HeadDim + 8;
  static constexpr int kKStride = HeadDim + 8;
  static constexpr int kVtStride = kBlockN + 8;  // V is stored transposed: [HeadDim][kBlockN]
  static constexpr size_t kSmemQ = sizeof(uint16_t) * kBlockM * kQStride;
  static constexpr size_t kSmemK = sizeof(uint16_t) * kBlockN * kKStride;
  static constexpr size_t kSmemVt = sizeof(uint16_t) * HeadDim * kVtStride;
  static constexpr size_t kSmemSlots = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemBytes = kSmemQ + kSmemK + kSmemVt + kSmemSlots;
  static constexpr int kScoreTiles = kBlockN / 8;  // n8 tiles of S per warp
  static constexpr int kOutTiles = HeadDim / 8;    // n8 tiles of O per warp
  static_assert(HeadDim % 16 == 0 && kBlockN % 16 == 0, "k16 steps");
  static_assert(kSmemQ % 16 == 0 && kSmemK % 16 == 0 && kSmemVt % 16 == 0, "tiles start 16-byte aligned");
  static_assert(kSmemBytes <= kFlashSharedLimit, "mma tiles exceed the shared-memory budget");
};

}  // namespace attnscope::kernels
