#include "backend/cpu/block_sparse_plain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backend/cpu/block_sparse.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Scores of one tile, masked in place: s(r, c) = scale * q_i . k_j or -inf.
// Returns the number of allowed pairs.
int64_t scoreTile(const BlockLayout& layout, int64_t entry, ConstMatRef q, ConstMatRef k, float scale, int64_t i0, int64_t rows,
                  int64_t j0, int64_t cols, Eigen::Ref<Mat> s) {
  s.noalias() = (q.middleRows(i0, rows) * k.middleRows(j0, cols).transpose()) * scale;
  const TileMask kind = layout.tileMask(entry);
  const bool needsMask = kind != TileMask::Full || layout.causal || !layout.globalRow.empty() || !layout.globalCol.empty();
  if (!needsMask) return rows * cols;
  const bool noGlobals = layout.globalRow.empty() && layout.globalCol.empty();
  // Full tiles strictly below the diagonal need no causal mask.
  if (kind == TileMask::Full && noGlobals && j0 + cols - 1 <= i0) return rows * cols;
  // Full (causal diagonal) and undilated Band tiles allow one contiguous column
  // range per row: mask by range instead of asking layout.allowed per element.
  if (noGlobals && (kind == TileMask::Full || (kind == TileMask::Band && layout.dilation <= 1))) {
    int64_t allowed = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r;
      int64_t lo = 0, hi = cols - 1;  // allowed tile columns [lo, hi]
      if (kind == TileMask::Band) {
        lo = std::max(lo, i + layout.bandLo - j0);
        hi = std::min(hi, i + layout.bandHi - j0);
      }
      if (layout.causal) hi = std::min(hi, i - j0);
      if (hi < lo) {
        s.row(r).setConstant(kNegInf);
        continue;
      }
      if (lo > 0) s.row(r).head(lo).setConstant(kNegInf);
      if (hi < cols - 1) s.row(r).tail(cols - 1 - hi).setConstant(kNegInf);
      allowed += hi - lo + 1;
    }
    return allowed;
  }
  int64_t allowed = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      if (layout.allowed(entry, i0 + r, j0 + c)) ++allowed;
      else s(r, c) = kNegInf;
    }
  return allowed;
}

struct PhaseTotals {
  int64_t scoresNs = 0;  // Q K^T tile, mask, online-softmax rescale
  int64_t outputNs = 0;  // P V accumulation and the final 1/l normalisation
};


}  // namespace

BlockSparseStats blockSparseForwardPlain(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
                                    float scale, MatRef out, float* lse) {
  const int64_t b = layout.block, dv = x.cols();
  if (q.rows() != layout.n || k.rows() != layout.nKeys || x.rows() != layout.nKeys || out.rows() != layout.n || out.cols() != dv)
    throw Error(ErrorKind::InvalidArgument, "block-sparse kernel: tensor shapes do not match the layout");
  ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
  const int workers = pool.size();
  // Per-worker scratch: scores/probabilities [b x b], accumulator [b x dv], row max and sum.
  const int64_t perWorker = b * b + b * dv + 2 * b;
  TrackedBuffer scratch(ctx.meter, perWorker * workers);
  std::vector<BlockSparseStats> stats(static_cast<size_t>(workers));
  // Per-phase time, per worker, only when profiled (two clock reads per tile).
  const bool timed = ctx.profiler != nullptr;
  std::vector<PhaseTotals> phases(static_cast<size_t>(workers));
  const int64_t kernelStart = timed ? traceClockNs() : 0;

  pool.parallelFor(0, layout.rowBlocks(), [&](int64_t qb, int worker) {
    ctx.checkCancelled();
    float* base = scratch.data() + perWorker * worker;
    const int64_t i0 = qb * b, rows = std::min(b, layout.n - i0);
    MatMap s(base, rows, b);
    MatMap acc(base + b * b, rows, dv);
    Eigen::Map<Eigen::ArrayXf> m(base + b * b + b * dv, rows), l(base + b * b + b * dv + b, rows);
    acc.setZero();
    m.setConstant(kNegInf);
    l.setZero();
    BlockSparseStats& st = stats[static_cast<size_t>(worker)];
    PhaseTotals& ph = phases[static_cast<size_t>(worker)];
    for (int64_t e = layout.rowBegin(qb); e < layout.rowEnd(qb); ++e) {
      // A long row of tiles (dense at large n) must not delay Cancel: check every 64 tiles.
      if ((e & 63) == 63) ctx.checkCancelled();
      const int64_t j0 = static_cast<int64_t>(layout.tileCol(e)) * b, cols = std::min(b, layout.nKeys - j0);
      auto tile = s.leftCols(cols);
      ++st.tilesVisited;
      const int64_t t0 = timed ? traceClockNs() : 0;
      const int64_t allowed = scoreTile(layout, e, q, k, scale, i0, rows, j0, cols, tile);
      if (allowed == 0) {
        if (timed) ph.scoresNs += traceClockNs() - t0;
        continue;
      }
      st.pairsAllowed += allowed;
      for (int64_t r = 0; r < rows; ++r) {
        const float tileMax = tile.row(r).maxCoeff();
        const float newMax = std::max(m(r), tileMax);
        if (newMax == kNegInf) {  // nothing allowed in this row yet
          tile.row(r).setZero();
          continue;
        }
        const float correction = std::exp(m(r) - newMax);  // exp(-inf) = 0 on the first tile
        tile.row(r) = (tile.row(r).array() - newMax).exp().matrix();
        l(r) = l(r) * correction + tile.row(r).sum();
        acc.row(r) *= correction;
        m(r) = newMax;
      }
      const int64_t t1 = timed ? traceClockNs() : 0;
      acc.noalias() += tile * x.middleRows(j0, cols);
      if (timed) {
        const int64_t t2 = traceClockNs();
        ph.scoresNs += t1 - t0;
        ph.outputNs += t2 - t1;
      }
    }
    const int64_t t3 = timed ? traceClockNs() : 0;
    for (int64_t r = 0; r < rows; ++r) {
      if (l(r) > 0) {
        out.row(i0 + r) = acc.row(r) / l(r);
        if (lse) lse[i0 + r] = m(r) + std::log(l(r));
      } else {
        out.row(i0 + r).setZero();
        if (lse) lse[i0 + r] = kNegInf;
      }
    }
    if (timed) ph.outputNs += traceClockNs() - t3;
  });
  BlockSparseStats total;
  for (const auto& st : stats) {
    total.tilesVisited += st.tilesVisited;
    total.pairsAllowed += st.pairsAllowed;
  }
  if (timed) {
    for (int w = 0; w < workers; ++w) {
      const double pairs = static_cast<double>(stats[static_cast<size_t>(w)].pairsAllowed);
      const PhaseTotals& ph = phases[static_cast<size_t>(w)];
      recordPhaseTotals(ctx, w, ph.scoresNs, ph.outputNs, kernelStart, pairs * 2.0 * static_cast<double>(q.cols()), pairs * 2.0 * static_cast<double>(dv));
    }
  }
  return total;
}

}  // namespace attnscope
