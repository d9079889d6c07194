// The CPU block-sparse attention kernel: tiled online softmax (flash-style)
// over a BlockLayout. Work is proportional to the listed tiles (inside band
// and causal tiles, to the 16-key stripes each row group may see); nothing
// n x n is allocated. Dense attention is this kernel on a layout listing every
// tile. The arithmetic runs on the ISA chosen at start-up (cpu_isa.hpp);
// block_sparse_plain.hpp keeps a plain reference for the tests.
#pragma once

#include <vector>

#include <cstdint>

#include "attention/block_layout.hpp"
#include "attention/variant.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/types.hpp"

namespace attnscope {

struct MapGrid;

struct BlockSparseStats {
  int64_t tilesVisited = 0;
  int64_t pairsAllowed = 0;
};

// out = softmax(scale * Q K^T restricted to the layout) * X, for one head.
// With ctx.profiler set, each worker's time in "scores/softmax" and "output"
// is summed tile by tile (steady clock, ~25 ns per read against ~10 us per
// tile) and recorded as two aggregated spans per worker on its phase-totals
// track (kPhaseTotalsTrackBase + worker).
// lse (optional, n floats) receives each row's log-sum-exp of the scaled
// scores, which lets the probe rebuild A tile by tile. Rows with no allowed key
// get a zero output and lse = -inf.
BlockSparseStats blockSparseForward(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
                                    float scale, MatRef out, float* lse);

// Rebuilds A = exp(scale * q.k - lse) over the layout's tiles that meet the
// grid's region and accumulates it into the grid (and the computed mask).
// lse may be null: the probe then computes it for the region's row blocks only.
void blockSparseProbe(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, float scale, const float* lse,
                      MapGrid& grid);

// One worker's time in the two phases, summed tile by tile, recorded as two
// spans laid end to end from the kernel's start on that worker's
// phase-totals track (kPhaseTotalsTrackBase + ctx.firstWorker + worker):
// their lengths are true totals, their positions are not when the work
// happened. Shared by the fast and the plain kernel.
void recordPhaseTotals(const ExecContext& ctx, int worker, int64_t scoresNs, int64_t outputNs, int64_t kernelStart, double scoreFlops,
                       double outputFlops);

// What one worker of a forward pass counts: its tiles and pairs, and its time
// in the two phases (kernel_body.inc's phaseNs: scores + softmax, P V).
struct ForwardWorkerCounts {
  BlockSparseStats stats;
  int64_t phaseNs[2] = {0, 0};
};

// The workers' counts summed; with ctx.profiler set, each worker's phase
// totals recorded (2 d FLOPs a pair for the scores, 2 dv for the output).
template <typename Worker>  // each Worker a ForwardWorkerCounts
BlockSparseStats finishForward(const ExecContext& ctx, const std::vector<Worker>& workers, int64_t kernelStart, int64_t d, int64_t dv) {
  BlockSparseStats total;
  for (size_t i = 0; i < workers.size(); ++i) {
    const ForwardWorkerCounts& w = workers[i];
    total.tilesVisited += w.stats.tilesVisited;
    total.pairsAllowed += w.stats.pairsAllowed;
    const double pairs = static_cast<double>(w.stats.pairsAllowed);
    recordPhaseTotals(ctx, static_cast<int>(i), w.phaseNs[0], w.phaseNs[1], kernelStart, pairs * 2.0 * static_cast<double>(d),
                      pairs * 2.0 * static_cast<double>(dv));
  }
  return total;
}

// out = A^T * y, by the same tiles (used by the randomized spectrum).
void blockSparseTransposed(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, float scale, const float* lse,
                           ConstMatRef y, MatRef out);

}  // namespace attnscope
