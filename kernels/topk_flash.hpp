// topk_dynamic on the GPU, host side: the variant's block plan, and a layout
// with the right row lengths whose key blocks the device fills in
// (topk_select.hpp). The number of blocks a query block keeps depends on the
// shape only (local blocks plus min(topk, candidates)), so the CSR offsets,
// the tile kinds (all Full) and the causal flag are known before the input
// is read; only the chosen columns come from Q and K.
// Host only, no CUDA: the CPU suite checks all of it.
#pragma once

#include <cstdint>
#include <string>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "block_means.hpp"
#include "topk_select.hpp"

namespace attnscope::kernels {

struct TopkPlan {
  int64_t n = 0, block = 64, blocks = 0, topk = 0;
  int64_t localLeft = 0, localRight = -1;
  bool causal = false;
  int64_t rowLength(int64_t qb) const;  // key blocks query block qb keeps
};

TopkPlan topkPlanFor(const AttentionSpec& spec, int64_t n);

// Empty when the block choice fits the device's shared memory (maxSmemBytes
// per block), else why not.
std::string topkGpuSupports(const TopkPlan& plan, int64_t maxSmemBytes);

// Rows of the right length with placeholder columns 0, 1, ... (valid and
// distinct, so the layout is well formed before the device overwrites them).
BlockLayout topkPlaceholderLayout(const TopkPlan& plan);

// The launches of the choice: block means of src ([heads, n, width]) into
// dst ([heads, blocks, width]), then the selection over the layout's CSR.
BlockMeansParams topkMeansParams(const TopkPlan& plan, int heads, int64_t width, const float* src, float* dst);
TopkSelectParams topkSelectParams(const TopkPlan& plan, int heads, int64_t d, const float* queryMeans, const float* keyMeans, const int64_t* rowStart,
                                  int32_t* colBlock);

}  // namespace attnscope::kernels
