// What the CUDA kernels built on the flash kernel share: the checks that need
// no layout, and one timed, traced run turned into an AttentionResult.
#pragma once

#include <string>
#include <vector>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "backend/backend.hpp"
#include "flash_runner.hpp"

namespace attnscope::kernels {

// The part of flashSupports() that needs no layout, so supports() can answer
// before any input is loaded; run() asks flashSupports() itself with the layouts.
bool flashAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why);

// One flash forward at spec's precision over `layouts` (one shared, or one
// per head), timed by CUPTI kernel records (cudaEvents where CUPTI cannot
// run); `flops` is the variant's cost-model count, for the span's rate;
// scale multiplies Q K^T (0: 1 / sqrt(Q's width)). peakWorkspaceBytes is the
// layout's device bytes. A prepare step's kernels (flash_runner.hpp) count in
// the time, and `flops` less its own go to the forward's span.
AttentionResult flashAttentionResult(const AttentionSpec& spec, const Qkv& qkv, const std::vector<const BlockLayout*>& layouts, double flops,
                                     float scale = 0.0f, const FlashPrepare* prepare = nullptr);

}  // namespace attnscope::kernels
