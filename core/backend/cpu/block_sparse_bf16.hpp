// The CPU block-sparse forward in bf16 (AMX tiles or AVX512-BF16): the fp32 kernel's
// structure (segments from SegmentPlan, online softmax over a BlockLayout)
// with Q, K, V and P rounded to bf16 and both products accumulated in fp32.
// Only when cpuBf16Usable() (cpu_isa.hpp); the map probe and the transposed
// product stay on the fp32 kernel (block_sparse.hpp).
#pragma once

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "backend/cpu/block_sparse.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/types.hpp"

namespace attnscope {

// As blockSparseForward: out = softmax(scale * Q K^T restricted to the layout) * X,
// for one head; lse (optional) gets each row's natural log-sum-exp.
BlockSparseStats blockSparseForwardBf16(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
                                        float scale, MatRef out, float* lse);

}  // namespace attnscope
