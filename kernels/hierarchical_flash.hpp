// hierarchical on the flash kernel: its one softmax over the own block's keys
// and the other blocks' summaries is flash attention over an extended key
// set, so the GPU needs no kernel of its own. Keys (and values) per head:
//   [ K (n rows), zero padding to a whole number of blocks (nb * b), the nb block means ]
// and a layout with the variant's block edge b: query block qb lists its own
// tile (Full; Band j <= i when causal; Bits for a short last block, which
// hides the padding) and the summary tiles (Full where every summary is
// visible, Bits for the one that holds qb's own summary or the causal edge).
// The layout's causal flag stays off: causality is in the tile kinds.
// Host only, no CUDA: the CPU suite checks all of it.
#pragma once

#include <cstdint>
#include <string>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "block_means.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

struct HierarchicalKeys {
  int64_t n = 0, b = 0, blocks = 0;
  int64_t summaryStart() const { return blocks * b; }      // key index of block 0's summary
  int64_t keys() const { return blocks * b + blocks; }     // extended key count
};

// The variant's own block partition (attention/variants/hierarchical.hpp).
HierarchicalKeys hierarchicalKeys(const AttentionSpec& spec, int64_t n);

// An upper bound on the bytes of the layout hierarchicalFlashLayout builds
// (host arrays; the device copy is the same size), without building it.
int64_t hierarchicalLayoutBytesBound(const HierarchicalKeys& keys);

// Empty when the flash kernel can run hierarchical with this block edge at
// this length (its layout stays within maxLayoutBytes), else why not.
std::string hierarchicalFlashSupports(const HierarchicalKeys& keys, bool causal, int64_t maxLayoutBytes);

BlockLayout hierarchicalFlashLayout(const HierarchicalKeys& keys, bool causal);

// Q unchanged; K and V extended as above (block means in double, stored fp32).
Qkv withBlockSummaries(const Qkv& qkv, const HierarchicalKeys& keys);
// The same shape with the summary rows left zero, for the device to fill
// (block_means.hpp; hierarchicalMeansParams gives its launch).
Qkv withSummaryRows(const Qkv& qkv, const HierarchicalKeys& keys);

// The block means of the first `width` columns of every head's rows, from the
// token rows into the summary rows of the same extended array.
BlockMeansParams hierarchicalMeansParams(const HierarchicalKeys& keys, int heads, int64_t width, float* extended);

}  // namespace attnscope::kernels
