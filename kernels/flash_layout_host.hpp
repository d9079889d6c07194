// Host side of the flash kernel that needs no CUDA: turning core BlockLayouts
// into the flat arrays the kernel reads, and saying (with why) what the
// kernel cannot do. The CPU suite tests all of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attention/block_layout.hpp"
#include "flash_params.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

// The arrays behind a FlashLayoutView, in host memory, ready to upload.
// Scalars live in `scalars` (its pointers are left null here).
struct FlashLayoutArrays {
  FlashLayoutView scalars;
  bool perHead = false;  // one layout per head, concatenated (else one shared layout)
  std::vector<int64_t> rowStart;
  std::vector<int32_t> colBlock;
  std::vector<uint8_t> kind;
  std::vector<int64_t> bitsOffset;
  std::vector<uint64_t> bits;
  std::vector<uint8_t> globalRow, globalCol;  // empty when no layout has that kind of global
  int64_t bytes() const;
};

// One layout for every head (layouts.size() == 1) or one per head. All must
// agree on n, nKeys, block, causal, implicitDense and the band; throws
// Error(InvalidArgument) naming what differs. Entry and bits indices of later
// heads are shifted so they index the concatenated arrays directly.
FlashLayoutArrays buildFlashLayout(const std::vector<const BlockLayout*>& layouts);
FlashLayoutArrays buildFlashLayout(const BlockLayout& layout);

// The view over host arrays (for emulating the kernel's rule on the CPU).
FlashLayoutView hostView(const FlashLayoutArrays& arrays);

// What the caller asks the kernel to run.
struct FlashRequest {
  FlashElement element = FlashElement::Fp32;
  int d = 0, dv = 0;
  int heads = 1;
  int64_t n = 0, nKeys = 0;
  // Compute capability as major * 10 + minor (e.g. 90); 0 skips the device check.
  int computeCapability = 0;
};

// Empty when the kernel runs this request on this layout; otherwise why not,
// in one sentence. The backend's supports() and run() both ask this.
std::string flashSupports(const FlashRequest& request, const BlockLayout& layout);

// Empty when params are consistent (sizes, strides, alignment of 16-bit
// inputs); otherwise what is wrong. launchFlashForward checks the same.
std::string flashCheckParams(const FlashParams& params);

// Q, K, V shapes as the kernel takes them: every head alike, K and V with
// the same rows, which may outnumber Q's (hierarchical appends block
// summaries). Throws Error(InvalidArgument) naming the head that differs.
void checkFlashInputs(const Qkv& qkv);

// Building layouts for extended keys (hierarchical_flash, memory_slots_flash):
// host bytes per listed tile (column, kind, bits offset), words of one Bits
// tile of edge b, and setting pair (r, c) of such a tile.
inline constexpr int64_t kFlashEntryBytes = sizeof(int32_t) + sizeof(uint8_t) + sizeof(int64_t);
inline int64_t flashBitsWords(int64_t b) { return (b * b + 63) / 64; }
inline void setFlashTileBit(std::vector<uint64_t>& words, int64_t b, int64_t r, int64_t c) {
  const int64_t local = r * b + c;
  words[static_cast<size_t>(local / 64)] |= uint64_t{1} << (local % 64);
}

// Q unchanged; K and V of every head extended with zero rows to `keys` rows
// (for keys the device fills: summaries, slot states).
Qkv withZeroKeyRows(const Qkv& qkv, int64_t keys);

// (Q/K, V) widths the kernel is built for (ATTNSCOPE_FLASH_WIDTHS), the
// equal-width case, and the list in words ("32, 64, 128, 32/16, ...").
bool flashWidthsSupported(int d, int dv);
bool flashHeadWidthSupported(int d);
std::string flashWidthList();

}  // namespace attnscope::kernels
