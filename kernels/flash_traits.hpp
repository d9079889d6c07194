// Tile shapes of the flash forward kernels and the shared memory they imply.
// Every choice here is a first choice, not yet measured on a GPU: each is
// marked with what it trades, so a profiling run knows what to vary.
#pragma once

#include <cstddef>
#include <cstdint>

#include "flash_params.hpp"

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

// Per key slot of a chunk, the kernels stage where it came from: key term
// (int64), key index (int32, -1 = padding), tile kind and column-global flag.
// Tables are filled ahead of the chunk's copies, which read their keys from
// them, so a kernel holds one table per chunk between its fill and its fold.
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
  // Two slot tables: the next chunk's is filled while this chunk's K and V
  // arrive (its copies then read it), and this chunk's is read by the masks.
  static constexpr int kSlotStages = 2;
  static constexpr size_t kSmemSlotStage = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemSlots = kSlotStages * kSmemSlotStage;
  static constexpr size_t kSmemBytes = kSmemQ + kSmemK + kSmemV + kSmemSlots;
  static_assert(kThreads % 32 == 0, "whole warps");
  static_assert(kBlockN % kThreadsPerRow == 0 && ValueDim % kThreadsPerRow == 0, "keys and columns split evenly over a row's threads");
  static_assert((kSmemQ + kSmemK + kSmemV) % 8 == 0 && kSmemSlotStage % 8 == 0, "slot arrays start 8-byte aligned");
  static_assert(kSmemBytes <= kFlashSharedLimit, "fp32 tiles exceed the shared-memory budget");
};

// fp16/bf16 path on tensor cores through mma.sync.m16n8k16 (sm_80+), fp32
// accumulation. Each warp owns 16 query rows; the block's warps share the K
// and V chunks in shared memory, two of each (the next chunk's cp.async
// copies run while the current one is used).
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
  // Registers, from ptxas (CUDA 13.0, sm_90, with the cp.async stages and Q
  // in registers): 128 per thread at d = 32/16, 161 at 64, 224 at 128, 166 at
  // 256/128, no spills; with ~88 KiB of shared memory at d = 128, 2 blocks
  // (8 warps) per SM.
  // Q's A fragments stay in registers for the whole walk up to d = 128
  // (4 registers per 16 columns: 32 at d = 128, as FlashAttention-2 keeps
  // them); at d = 256 that would be 64 more beside 64 of O, so they are
  // re-read from shared memory each chunk.
  static constexpr bool kQInRegisters = HeadDim <= 128;
  // Row-major tiles, +8 elements (16 bytes) per row: rows stay 16-byte
  // aligned for cp.async and ldmatrix, and the 8 rows one ldmatrix matrix
  // reads land in 8 different 16-byte bank groups.
  static constexpr int kQStride = HeadDim + 8;
  static constexpr int kKStride = HeadDim + 8;
  static constexpr int kVStride = ValueDim + 8;
  static constexpr int kStages = 2;  // K and V chunks in flight: the one used and the one arriving
  static constexpr size_t kSmemQ = sizeof(uint16_t) * kBlockM * kQStride;
  static constexpr size_t kSmemKStage = sizeof(uint16_t) * kBlockN * kKStride;
  static constexpr size_t kSmemVStage = sizeof(uint16_t) * kBlockN * kVStride;
  static constexpr size_t kSmemK = kStages * kSmemKStage;
  static constexpr size_t kSmemV = kStages * kSmemVStage;
  // Three slot tables: chunk c's is folded while chunk c + 1's copies (issued
  // from its table) are in flight and chunk c + 2's is filled, so the copies
  // keep their place in the pipeline and no barrier is added. After them, one
  // byte per table: whether its chunk needs element masks (kept in shared
  // memory, not carried in registers for two turns).
  static constexpr int kSlotStages = 3;
  static constexpr size_t kSmemSlotStage = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemSlots = kSlotStages * kSmemSlotStage + 8;
  static constexpr size_t kSmemBytes = kSmemQ + kSmemK + kSmemV + kSmemSlots;
  static constexpr int kScoreTiles = kBlockN / 8;  // n8 tiles of S per warp
  static constexpr int kOutTiles = ValueDim / 8;   // n8 tiles of O per warp
  static_assert(HeadDim % 16 == 0 && kBlockN % 16 == 0 && ValueDim % 16 == 0, "k16 steps, and n8 tiles in pairs (one ldmatrix.x4 feeds two)");
  static_assert(kSmemQ % 16 == 0 && kSmemKStage % 16 == 0 && kSmemVStage % 16 == 0, "tiles start 16-byte aligned");
  static_assert(kSmemSlotStage % 8 == 0, "slot arrays start 8-byte aligned");
  static_assert(kSmemBytes <= kFlashSharedLimit, "mma tiles exceed the shared-memory budget");
};

// The (Q/K width, V width) pairs the wgmma kernel is built for: the 128-byte
// swizzled tiles take whole 64-column panels, and the P V product's width is
// one of the two wgmma shapes it instantiates (n64, n128).
#define ATTNSCOPE_WGMMA_WIDTHS(X) X(64, 64) X(128, 128) X(128, 64) X(256, 128)

constexpr bool wgmmaWidthPair(int d, int dv) {
#define ATTNSCOPE_WGMMA_WIDTH_MATCH(D, DV) (d == (D) && dv == (DV)) ||
  return ATTNSCOPE_WGMMA_WIDTHS(ATTNSCOPE_WGMMA_WIDTH_MATCH) false;
#undef ATTNSCOPE_WGMMA_WIDTH_MATCH
}

// Whether a launch of these params runs the wgmma kernel: asked for, 16-bit,
// and widths it is built for (other widths run the mma.sync kernel; the
// trace's kernel name says which ran).
constexpr bool flashRunsWgmma(const FlashParams& p) {
  return p.path == FlashPath::Wgmma && p.element != FlashElement::Fp32 && wgmmaWidthPair(p.d, p.dv);
}

// sm_90 grants a block up to 227 KiB of dynamic shared memory.
inline constexpr size_t kWgmmaSharedLimit = 227 * 1024;

// fp16/bf16 path on sm_90 through wgmma: one warpgroup (4 warps) owns the
// block's 64 query rows; S = Q K^T with Q and K from shared memory, O += P V
// with P from registers and V from shared memory, the next chunk's S
// folded while this chunk's P V runs (FlashAttention-3's operand placement
// and overlap within a warpgroup, without its warp specialisation or its
// ping-pong between two warpgroups). Unmeasured: every choice below is a
// first choice for the GPU run to vary.
template <int HeadDim, int ValueDim = HeadDim>
struct FlashWgmmaTraits {
  static_assert(wgmmaWidthPair(HeadDim, ValueDim), "wgmma flash kernel: no such (d, dv) pair in ATTNSCOPE_WGMMA_WIDTHS");
  static constexpr int kHeadDim = HeadDim;
  static constexpr int kValueDim = ValueDim;
  // 64 rows, one warpgroup: wgmma's M, and a query tile never spans two of
  // the dense layout's 64-row blocks (a 128-row tile would idle half of it).
  static constexpr int kBlockM = 64;
  static constexpr int kThreads = 128;
  // 64 keys per chunk: one m64n64k16 per k16 step of S; as in the mma path,
  // dense chunks never straddle two layout tiles.
  static constexpr int kBlockN = 64;
  static constexpr int kStages = 2;
  static constexpr size_t kSmemAlign = 1024;  // a 128-byte-swizzle tile starts on a 1024-byte shared address
  static constexpr size_t kSmemQ = sizeof(uint16_t) * kBlockM * HeadDim;
  static constexpr size_t kSmemKStage = sizeof(uint16_t) * kBlockN * HeadDim;
  static constexpr size_t kSmemVStage = sizeof(uint16_t) * kBlockN * ValueDim;
  static constexpr size_t kSmemK = kStages * kSmemKStage;
  static constexpr size_t kSmemV = kStages * kSmemVStage;
  // Two slot tables: chunk c + 2's is filled while chunk c + 1's is read by
  // the masks (chunk c + 2's copies are issued from it at the turn's end).
  static constexpr int kSlotStages = 2;
  static constexpr size_t kSmemSlotStage = kFlashSlotBytes * kBlockN;
  static constexpr size_t kSmemSlots = kSlotStages * kSmemSlotStage;
  static constexpr size_t kSmemBarriers = sizeof(uint64_t) * (1 + kStages);  // TMA: Q's mbarrier, one per K/V stage
  // The runtime alignment of the dynamic window may use up to kSmemAlign - 16 bytes.
  static constexpr size_t kSmemBytes = kSmemAlign + kSmemQ + kSmemK + kSmemV + kSmemSlots + kSmemBarriers;
  static constexpr int kScoreTiles = kBlockN / 8;
  static constexpr int kOutTiles = ValueDim / 8;
  static_assert(HeadDim % 64 == 0 && ValueDim % 64 == 0, "whole 64-column panels");
  static_assert(kSmemSlotStage % 8 == 0, "slot arrays and then the mbarriers 8-byte aligned");
  static_assert(kSmemQ % kSmemAlign == 0 && kSmemKStage % kSmemAlign == 0 && kSmemVStage % kSmemAlign == 0, "every tile starts 1024-byte aligned");
  static_assert(kSmemBytes <= kWgmmaSharedLimit, "wgmma tiles exceed sm_90's shared-memory budget");
};

}  // namespace attnscope::kernels
