#include "backend/cpu/block_sparse.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analysis/map_grid.hpp"
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
  // Full tiles strictly below the diagonal need no causal mask.
  if (kind == TileMask::Full && layout.globalRow.empty() && layout.globalCol.empty() && j0 + cols - 1 <= i0) return rows * cols;
  int64_t allowed = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      if (layout.allowed(entry, i0 + r, j0 + c)) ++allowed;
      else s(r, c) = kNegInf;
    }
  return allowed;
}

}  // namespace

BlockSparseStats blockSparseForward(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
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
    for (int64_t e = layout.rowBegin(qb); e < layout.rowEnd(qb); ++e) {
      const int64_t j0 = static_cast<int64_t>(layout.tileCol(e)) * b, cols = std::min(b, layout.nKeys - j0);
      auto tile = s.leftCols(cols);
      ++st.tilesVisited;
      const int64_t allowed = scoreTile(layout, e, q, k, scale, i0, rows, j0, cols, tile);
      if (allowed == 0) continue;
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
      acc.noalias() += tile * x.middleRows(j0, cols);
    }
    for (int64_t r = 0; r < rows; ++r) {
      if (l(r) > 0) {
        out.row(i0 + r) = acc.row(r) / l(r);
        if (lse) lse[i0 + r] = m(r) + std::log(l(r));
      } else {
        out.row(i0 + r).setZero();
        if (lse) lse[i0 + r] = kNegInf;
      }
    }
  });
  BlockSparseStats total;
  for (const auto& st : stats) {
    total.tilesVisited += st.tilesVisited;
    total.pairsAllowed += st.pairsAllowed;
  }
  return total;
}

void blockSparseProbe(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, float scale, const float* lse,
                      MapGrid& grid) {
  const int64_t b = layout.block;
  ThreadPool& pool = ctx.pool ? *ctx.pool : ThreadPool::shared();
  const int workers = pool.size();
  TrackedBuffer scratch(ctx.meter, b * b * workers);
  std::vector<std::vector<uint8_t>> allowedBits(static_cast<size_t>(workers), std::vector<uint8_t>(static_cast<size_t>(b * b)));
  const int64_t qbFirst = grid.i0 / b, qbLast = (grid.i1 - 1) / b;
  pool.parallelFor(qbFirst, qbLast + 1, [&](int64_t qb, int worker) {
    ctx.checkCancelled();
    const int64_t i0 = qb * b, rows = std::min(b, layout.n - i0);
    MatMap s(scratch.data() + b * b * worker, rows, b);
    uint8_t* ok = allowedBits[static_cast<size_t>(worker)].data();
    for (int64_t e = layout.rowBegin(qb); e < layout.rowEnd(qb); ++e) {
      const int64_t j0 = static_cast<int64_t>(layout.tileCol(e)) * b, cols = std::min(b, layout.nKeys - j0);
      if (j0 + cols <= grid.j0 || j0 >= grid.j1) continue;
      auto tile = s.leftCols(cols);
      scoreTile(layout, e, q, k, scale, i0, rows, j0, cols, tile);
      for (int64_t r = 0; r < rows; ++r) {
        const float rowLse = lse[i0 + r];
        for (int64_t c = 0; c < cols; ++c) {
          const bool allowed = tile(r, c) != kNegInf && rowLse != kNegInf;
          ok[r * cols + c] = layout.allowed(e, i0 + r, j0 + c) ? 1 : 0;
          tile(r, c) = allowed ? std::exp(tile(r, c) - rowLse) : 0.0f;
        }
      }
      grid.addTile(i0, j0, tile.data(), rows, cols, b);
      grid.addComputed(i0, j0, ok, rows, cols, cols);
    }
  });
}

void blockSparseTransposed(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, float scale, const float* lse,
                           ConstMatRef y, MatRef out) {
  // Serial over query blocks: each tile adds into rows of out owned by key blocks,
  // which different query blocks share. Parallel over column chunks of y instead.
  const int64_t b = layout.block;
  out.setZero();
  Mat s(b, b);
  for (int64_t qb = 0; qb < layout.rowBlocks(); ++qb) {
    ctx.checkCancelled();
    const int64_t i0 = qb * b, rows = std::min(b, layout.n - i0);
    for (int64_t e = layout.rowBegin(qb); e < layout.rowEnd(qb); ++e) {
      const int64_t j0 = static_cast<int64_t>(layout.tileCol(e)) * b, cols = std::min(b, layout.nKeys - j0);
      auto tile = s.topLeftCorner(rows, cols);
      scoreTile(layout, e, q, k, scale, i0, rows, j0, cols, tile);
      for (int64_t r = 0; r < rows; ++r) {
        const float rowLse = lse[i0 + r];
        for (int64_t c = 0; c < cols; ++c) tile(r, c) = (tile(r, c) == kNegInf || rowLse == kNegInf) ? 0.0f : std::exp(tile(r, c) - rowLse);
      }
      out.middleRows(j0, cols).noalias() += tile.transpose() * y.middleRows(i0, rows);
    }
  }
}

}  // namespace attnscope
