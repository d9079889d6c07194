// The plain block-sparse forward (Eigen tiles, scalar exp, masking after
// scoring): slow, but simple enough to read at a glance. Kept as a reference
// for the tests of the fast kernels in block_sparse.cpp.
#pragma once

#include "backend/cpu/block_sparse.hpp"

namespace attnscope {

BlockSparseStats blockSparseForwardPlain(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
                                         float scale, MatRef out, float* lse);

}  // namespace attnscope
