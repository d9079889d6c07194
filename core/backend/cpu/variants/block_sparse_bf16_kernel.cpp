// The bf16 CPU kernel of every mask-based variant: the forward on
// AMX or AVX512-BF16 (block_sparse_bf16.hpp). map() and applyTransposed() delegate to
// the fp32 block-sparse kernel: the analysis reads fp32 probabilities of the
// same layout, so the map shows the variant's A, not its bf16 rounding.
#include <cmath>
#include <string>

#include "attention/mask_variant.hpp"
#include "backend/cpu/block_sparse_bf16.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

class BlockSparseBf16Kernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    const BlockLayout layout = layoutForHead(spec, in);
    const float scale = 1.0f / std::sqrt(static_cast<float>(in.q.cols()));
    BlockSparseStats stats;
    {
      ScopedSpan span(ctx.profiler, spec.variant + " block-sparse bf16 forward", SpanCategory::Kernel);
      stats = blockSparseForwardBf16(ctx, layout, in.q, in.k, x, scale, out, nullptr);
    }
    HeadExtras extras;
    extras.scalars.emplace_back("tiles_visited", static_cast<double>(stats.tilesVisited));
    extras.scalars.emplace_back("pairs_computed", static_cast<double>(stats.pairsAllowed));
    extras.scalars.emplace_back("tile_edge", static_cast<double>(layout.block));
    extras.notes.push_back(std::string("bf16: Q, K, V and P rounded to bf16, products accumulated in fp32 (") + cpuBf16Name(cpuBf16()) +
                           "); the map and spectrum use fp32 probabilities");
    return extras;
  }

  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    blockSparseKernel().applyTransposed(ctx, spec, in, y, out);
  }

  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    blockSparseKernel().map(ctx, spec, in, grid);
  }
};

struct Registration {
  Registration() { cpuKernelsBf16().add(kAnyMaskBased, std::make_shared<BlockSparseBf16Kernel>()); }
};
const Registration registration;

}  // namespace

}  // namespace attnscope
