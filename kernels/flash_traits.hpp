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

// The (Q/K width, V width) pairs the kernels are built for, as an X-macro so
// the launch switch, the emulated suite and flashWidthsSupported share one
// list: equal widths for attention, and V half as wide for variants that
// append features to Q and K (transformer_xl's position terms, which double
// the width: d = 128 runs at 256).
#define ATTNSCOPE_FLASH_WIDTHS(X) X(32, 32) X(64, 64) X(128, 128) X(32, 16) X(64, 32) X(128, 64) X(256, 128)

constexpr bool flashWidthPair(int d, int dv) {
#define ATTNSCOPE_FLASH_WIDTH_MATCH(D, DV) (d == (D) && dv == (DV)) ||
  return ATTNSCOPE_FLASH_WIDTHS(ATTNSCOPE_FLASH_WIDTH_MATCH) false;
#undef ATTNSCOPE_FLASH_WIDTH_MATCH
}

// Per key slot of a chunk, the kernels stage where it came from: bits offset
// (int64), key index (int32, -1 = padding), tile kind and column-global flag.
inline constexpr size_t kFlashSlotBytes = sizeof(int64_t) + sizeof(int32_t) + 2;

// fp32 path on CUDA cores (SIMT). Four threads share a query row: each scores
// a quarter of the chunk's keys and owns a quarter of the output columns, so
// a row's state stays inside one warp and needs only shuffles.
template <int HeadDim, int ValueDim = HeadDim>
struct FlashFp32Traits {
  static_assert(flashWidthPair(HeadDim, ValueDim), "fp32 flash kernel: no such (d, dv) pair in ATTNSCOPE_FLASH_WIDTHS");
  static constexpr int kHeadDim = HeadDim;
  static constexpr int kValueDim = ValueDim;
  // First choice, unmeasured: 32 x 32 tiles keep the fp32 K and V tiles of
  // d = 128 near 32 KiB, so two blocks can share an SM; larger tiles reuse Q
  // and K more but hold more shared memory per block.
  static constexpr int kBlockM = 32;
  static constexpr int kBlockN = 32;
  static constexpr int kThreadsPerRow = 4;
  static constexpr int kThreads = kBlockM * kThreadsPerRow;
  static constexpr int kKeysPerThread = kBlockN / kThreadsPerRow;
  static constexpr int kColsPerThread = ValueDim / kThreadsPerRow;
  // +1 padding: the 8 rows a warp reads at once then fall in 8 different banks.
  static constexpr int kQStride = HeadDim + 1;
  static constexpr int kKStride = HeadDim + 1;
  static constexpr int kVStride = ValueDim;  // a row's 4 threads read 4 consecutive words; rows broadcast
  static constexpr size_t kSmemQ = sizeof(float) * kBlockM * kQStride;
  static constexpr size_t kSmemK = sizeof(float) * kBlockN * kKStride;
  static constexpr size_t kSmemV = sizeof(float) * kBlockN * kVStride;
  static constexpr size_t kSmemSlots = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemBytes = kSmemQ + kSmemK + kSmemV + kSmemSlots;
  static_assert(kThreads % 32 == 0, "whole warps");
  static_assert(kBlockN % kThreadsPerRow == 0 && ValueDim % kThreadsPerRow == 0, "keys and columns split evenly over a row's threads");
  static_assert((kSmemQ + kSmemK + kSmemV) % 8 == 0, "slot arrays start 8-byte aligned");
  static_assert(kSmemBytes <= kFlashSharedLimit, "fp32 tiles exceed the shared-memory budget");
};

// fp16/bf16 path on tensor cores through mma.sync.m16n8k16 (sm_80+), fp32
// accumulation. Each warp owns 16 query rows; the block's warps share the K
// and V chunk in shared memory.
template <int HeadDim, int ValueDim = HeadDim>
struct FlashMmaTraits {
  static_assert(flashWidthPair(HeadDim, ValueDim), "mma flash kernel: no such (d, dv) pair in ATTNSCOPE_FLASH_WIDTHS");
  static constexpr int kHeadDim = HeadDim;
  static constexpr int kValueDim = ValueDim;
  // First choice, unmeasured: 4 warps x 16 rows = 64 query rows, the shape
  // FlashAttention-2 starts from on sm_80; 8 warps / 128 rows is the obvious
  // next candidate for d = 64 and 128 once it can be measured.
  static constexpr int kWarps = 4;
  static constexpr int kBlockM = 16 * kWarps;
  // First choice, unmeasured: 64 keys per chunk matches the dense layout's
  // block (64), so dense chunks never straddle two tiles. At d = 256 the Q
  // and K tiles take 33 KiB each; 64 keys would pass the 99 KiB budget, 32 fit.
  static constexpr int kBlockN = HeadDim >= 256 ? 32 : 64;
  static constexpr int kThreads = 32 * kWarps;
  // Registers, from ptxas (CUDA 13.0, sm_80): 116 per thread at d = 32/16,
  // 165 at d = 128, 157 at 256/128, no spills; so 3 blocks per SM at most.
  // +8 elements (16 bytes) per row: rows stay 16-byte aligned for vector
  // stores, and the 8 rows of one fragment load land in different banks.
  static constexpr int kQStride = HeadDim + 8;
  static constexpr int kKStride = HeadDim + 8;
  static constexpr int kVtStride = kBlockN + 8;  // V is stored transposed: [ValueDim][kBlockN]
  static constexpr size_t kSmemQ = sizeof(uint16_t) * kBlockM * kQStride;
  static constexpr size_t kSmemK = sizeof(uint16_t) * kBlockN * kKStride;
  static constexpr size_t kSmemVt = sizeof(uint16_t) * ValueDim * kVtStride;
  static constexpr size_t kSmemSlots = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemBytes = kSmemQ + kSmemK + kSmemVt + kSmemSlots;
  static constexpr int kScoreTiles = kBlockN / 8;  // n8 tiles of S per warp
  static constexpr int kOutTiles = ValueDim / 8;   // n8 tiles of O per warp
  static_assert(HeadDim % 16 == 0 && kBlockN % 16 == 0, "k16 steps");
  static_assert(kSmemQ % 16 == 0 && kSmemK % 16 == 0 && kSmemVt % 16 == 0, "tiles start 16-byte aligned");
  static_assert(kSmemBytes <= kFlashSharedLimit, "mma tiles exceed the shared-memory budget");
};

}  // namespace attnscope::kernels
