// Workspace formulas of the CPU kernels, for the cost models' memory guard.
// The cost model predicts the CPU backend's scratch (the reference backend);
// other backends measure their own device memory. Formulas only: the kernels
// themselves stay behind the kernel table.
#pragma once

#include <cstdint>

#include "attention/variant.hpp"

namespace attnscope {

// Tracked bytes the block-sparse kernel allocates for n keys, head width d,
// value width dv and tile edge `block` on `workers` threads (packed K^T + scratch).
double blockSparseWorkspaceBytes(int64_t n, int64_t d, int64_t dv, int64_t block, int workers);
// The same for the bf16 kernel on the path in use (packed K and V in bf16,
// per-worker scratch); 0 where the CPU has no bf16 kernels.
double blockSparseBf16WorkspaceBytes(int64_t n, int64_t d, int64_t dv, int64_t block, int workers);

// Per variant with its own CPU kernel (defined next to that kernel).
double linformerWorkspaceBytes(const AttentionSpec& spec, const Shape& shape);
double transformerXlWorkspaceBytes(const AttentionSpec& spec, const Shape& shape);
double memorySlotsWorkspaceBytes(const AttentionSpec& spec, const Shape& shape);
double performerWorkspaceBytes(const AttentionSpec& spec, const Shape& shape);

}  // namespace attnscope
