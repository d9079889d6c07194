// transformer_xl: segments of length L; each query attends causally to its own
// segment and to the cached keys/values of the M positions before it
// (DESIGN §3). relative=false is plain softmax over that set, run by the
// shared block-sparse kernel on a BlockLayout; relative=true adds the
// Transformer-XL position terms, scores
//   s ((q_i + u) . k_j + (q_i + v) . R(i - j)),
// computed per query block with the distance table (the "relative shift").
// Causal by construction: the cache only ever holds earlier positions.
#include "attention/variants/transformer_xl.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/block_sparse.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/lowrank_kernels.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "common/rng.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr int64_t kTile = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct XlShape {
  int64_t n = 0, segment = 1, memory = 0;
  bool relative = false;
  int64_t lowest(int64_t i) const { return transformerXlLowestKey(i, segment, memory); }
  int64_t segmentStart(int64_t i) const { return (i / segment) * segment; }
  int64_t segments() const { return (n + segment - 1) / segment; }
  // Widest key range of one query block, and the distances it needs.
  int64_t maxWidth() const { return std::min(n, kTile + segment + memory); }
};

XlShape xlShapeOf(const AttentionSpec& spec, int64_t n) {
  return XlShape{n, spec.params.getInt("segment"), spec.params.getInt("memory"), spec.params.getBool("relative")};
}

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

// Tiles for lowest(i) <= j <= i: full inside, explicit bits on the diagonal and
// on the memory edge.
BlockLayout xlLayout(const XlShape& x) {
  BlockLayout layout;
  layout.n = layout.nKeys = x.n;
  layout.block = kTile;
  layout.causal = true;
  const int64_t b = kTile;
  std::vector<uint64_t> bits(static_cast<size_t>(b * b / 64));
  for (int64_t qb = 0; qb < layout.rowBlocks(); ++qb) {
    const int64_t i0 = qb * b, i1 = std::min(x.n, i0 + b);
    const int64_t loMin = x.lowest(i0), loMax = x.lowest(i1 - 1);
    for (int64_t kb = loMin / b; kb <= (i1 - 1) / b; ++kb) {
      const int64_t j0 = kb * b, j1 = std::min(x.n, j0 + b);
      if (j1 - 1 <= i0 && j0 >= loMax) {
        layout.addTile(static_cast<int32_t>(kb), TileMask::Full);
        continue;
      }
      std::fill(bits.begin(), bits.end(), 0);
      bool any = false;
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = std::max(j0, x.lowest(i)); j < std::min(j1, i + 1); ++j) {
          const int64_t local = (i - i0) * b + (j - j0);
          bits[static_cast<size_t>(local / 64)] |= uint64_t{1} << (local % 64);
          any = true;
        }
      if (any) layout.addBitsTile(static_cast<int32_t>(kb), bits);
    }
    layout.endRow();
  }
  layout.finish();
  return layout;
}

// Allowed pairs: per segment, l (a - lo + 1) + l (l - 1) / 2.
double pairsPerHead(const XlShape& x) {
  double pairs = 0;
  for (int64_t a = 0; a < x.n; a += x.segment) {
    const double l = static_cast<double>(std::min(x.segment, x.n - a));
    pairs += l * static_cast<double>(a - x.lowest(a) + 1) + l * (l - 1) / 2;
  }
  return pairs;
}

// The relative-position path: one query block's weights over keys [jlo, jlo + width).
class RelativeScores {
 public:
  RelativeScores(const ExecContext& ctx, const XlShape& x, const HeadInput& in)
      : x_(x), in_(in), d_(in.q.cols()), width_(x.maxWidth()), workers_(poolOf(ctx).size()),
        tableBuf_(ctx.meter, width_ * d_), table_(tableBuf_.data(), width_, d_),
        scratch_(ctx.meter, workers_ * perWorker()), scale_(1.0f / std::sqrt(static_cast<float>(d_))) {
    table_ = transformerXlRelativeTable(width_, d_);
    transformerXlBiases(d_, u_, v_);
  }

  static double workspaceFloats(const XlShape& x, int64_t d, int workers) {
    return static_cast<double>(x.maxWidth() * d) + static_cast<double>(workers) * static_cast<double>(2 * kTile * d + 2 * kTile * x.maxWidth());
  }

  struct Block {
    int64_t i0, rows, jlo, width;
    MatMap p;  // [rows x width], stride width
  };

  Block weights(int64_t qb, int worker) const {
    float* base = scratch_.data() + worker * perWorker();
    const int64_t i0 = qb * kTile, rows = std::min(kTile, x_.n - i0);
    const int64_t jlo = x_.lowest(i0), width = i0 + rows - jlo;
    MatMap qu(base, rows, d_), qv(base + kTile * d_, rows, d_);
    MatMap p(base + 2 * kTile * d_, rows, width), pos(base + 2 * kTile * d_ + kTile * width_, rows, width);
    qu = in_.q.middleRows(i0, rows).rowwise() + u_;
    qv = in_.q.middleRows(i0, rows).rowwise() + v_;
    // The ISA's GEMM and exp, not Eigen's: this build compiles Eigen for SSE2,
    // which left this path at ~35 GFLOP/s, slower than dense at n <= 2048.
    sgemm(qu, in_.k.middleRows(jlo, width), p, false, true);
    sgemm(qv, table_.topRows(width), pos, false, true);  // pos(r, t) = (q_i + v) . R(t)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r, lo = x_.lowest(i);
      float mx = kNegInf;
      float* row = p.data() + r * width;
      const float* posRow = pos.data() + r * width;
      for (int64_t c = 0; c < width; ++c) {
        const int64_t j = jlo + c;
        row[c] = (j < lo || j > i) ? kNegInf : scale_ * (row[c] + posRow[i - j]);
        mx = std::max(mx, row[c]);
      }
      // Weights below e^-80 of the row's largest are 0 (as exp rounds them anyway).
      expShiftedFloor(row, width, mx, 80.0f);
      float sum = 0;
      for (int64_t c = 0; c < width; ++c) sum += row[c];
      const float inv = 1.0f / sum;
      for (int64_t c = 0; c < width; ++c) row[c] *= inv;
    }
    return Block{i0, rows, jlo, width, p};
  }

 private:
  int64_t perWorker() const { return 2 * kTile * d_ + 2 * kTile * width_; }
  XlShape x_;
  const HeadInput& in_;
  int64_t d_, width_;
  int workers_;
  TrackedBuffer tableBuf_;
  MatMap table_;
  mutable TrackedBuffer scratch_;
  float scale_;
  RowVec u_, v_;
};

class TransformerXlVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "transformer_xl";
      v.title = "Transformer-XL (segment recurrence with a cached memory)";
      v.family = "recurrent";
      v.complexity = "O(n (L + M) d)";
      v.memoryComplexity = "O((L + M) d)";
      v.useWhen = "streaming or autoregressive inputs where recent context (segment plus cached memory) matters most";
      v.loses = "anything further back than L + M positions; causal only";
      v.params = {intParam("segment", 128, 1, 1 << 20, "segment length L", "tokens"),
                  intParam("memory", 128, 0, 1 << 20, "cached positions M before each segment", "tokens"),
                  boolParam("relative", true, "add relative-position scores (false: plain causal attention over [memory; segment])")};
      v.supportsCausal = true;
      v.maskBased = false;  // only relative=false runs through the block-sparse kernel; layout() says which
      v.displayOrder = 7;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const XlShape x = xlShapeOf(spec, std::max<int64_t>(s.n, 1));
    const double n = static_cast<double>(s.n), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv), heads = static_cast<double>(s.heads);
    const double b = kTile;
    CostEstimate c;
    const double pairs = pairsPerHead(x);
    c.pairs = heads * pairs;
    if (x.relative) {
      c.flops = heads * pairs * 2.0 * (2.0 * d + dv);  // content, position and value products
      c.workspaceBytes = 4.0 * RelativeScores::workspaceFloats(x, s.d, s.workers);
    } else {
      // The forward, plus a one-column pass over the segment alone for the memory mass.
      XlShape local = x;
      local.memory = 0;
      c.flops = heads * (pairs * 2.0 * (d + dv) + pairsPerHead(local) * 2.0 * (d + 1));
      // The block-sparse kernel's own scratch (packed K included), or the memory-mass pass (one value column) with its row sums.
      Shape one = s;
      one.dv = 1;
      c.workspaceBytes = std::max(kernelWorkspaceBytes(s, kTile), 4.0 * n + kernelWorkspaceBytes(one, kTile));
    }
    const double window = std::min(n, static_cast<double>(x.segment + x.memory) + b);
    c.bytesRead = 4.0 * heads * (n * d + std::ceil(n / b) * window * (d + dv));
    c.bytesWritten = 4.0 * heads * n * dv;
    return c;
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput*) const override {
    const XlShape x = xlShapeOf(spec, s.n);
    if (x.relative) return std::nullopt;  // position terms: not a pure mask
    return xlLayout(x);
  }

  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef xin, MatRef out) const override {
    const int64_t n = in.q.rows();
    validate(spec, Shape{n, in.q.cols(), in.v.cols(), 1, spec.causal, 1});
    const XlShape x = xlShapeOf(spec, n);
    std::vector<double> memoryPerQuery(static_cast<size_t>(n), 0.0);
    HeadExtras extras;
    if (x.relative) {
      ScopedSpan span(ctx.profiler, "transformer_xl relative scores", SpanCategory::Kernel);
      const RelativeScores scores(ctx, x, in);
      poolOf(ctx).parallelFor(0, (n + kTile - 1) / kTile, [&](int64_t qb, int worker) {
        ctx.checkCancelled();
        const RelativeScores::Block blk = scores.weights(qb, worker);
        // Narrow outputs (dv columns): the packed GEMM's packing costs more than the product here.
        if (!narrowProduct(blk.rows, xin.cols(), blk.width, blk.p.data(), blk.width, 1, xin.data() + blk.jlo * xin.outerStride(), xin.outerStride(),
                           out.data() + blk.i0 * out.outerStride(), out.outerStride()))
          sgemm(blk.p, xin.middleRows(blk.jlo, blk.width), out.middleRows(blk.i0, blk.rows));
        for (int64_t r = 0; r < blk.rows; ++r) {
          const int64_t memoryCols = x.segmentStart(blk.i0 + r) - blk.jlo;
          if (memoryCols > 0) memoryPerQuery[static_cast<size_t>(blk.i0 + r)] = blk.p.row(r).head(memoryCols).sum();
        }
      });
    } else {
      const BlockLayout layout = xlLayout(x);
      const float scale = 1.0f / std::sqrt(static_cast<float>(in.q.cols()));
      TrackedBuffer lse(ctx.meter, n);
      BlockSparseStats stats;
      {
        ScopedSpan span(ctx.profiler, "transformer_xl block-sparse forward", SpanCategory::Kernel);
        stats = blockSparseForward(ctx, layout, in.q, in.k, xin, scale, out, lse.data());
      }
      extras.scalars.emplace_back("tiles_visited", static_cast<double>(stats.tilesVisited));
      extras.scalars.emplace_back("pairs_computed", static_cast<double>(stats.pairsAllowed));
      extras.scalars.emplace_back("tile_edge", static_cast<double>(layout.block));
      if (x.memory > 0) {
        // Mass on memory = 1 - mass on the own segment = 1 - exp(lse_segment - lse).
        ScopedSpan span(ctx.profiler, "transformer_xl memory mass", SpanCategory::Kernel);
        XlShape local = x;
        local.memory = 0;
        TrackedBuffer lseLocal(ctx.meter, n);
        Mat ones = Mat::Ones(n, 1), sink(n, 1);
        blockSparseForward(ctx, xlLayout(local), in.q, in.k, ones, scale, sink, lseLocal.data());
        for (int64_t i = 0; i < n; ++i)
          if (x.segmentStart(i) > 0) memoryPerQuery[static_cast<size_t>(i)] = std::max(0.0, 1.0 - std::exp(static_cast<double>(lseLocal.data()[i]) - lse.data()[i]));
      }
    }
    for (int64_t a = 0; a < n; a += x.segment) {
      const int64_t len = std::min(x.segment, n - a);
      double sum = 0;
      for (int64_t i = a; i < a + len; ++i) sum += memoryPerQuery[static_cast<size_t>(i)];
      extras.memoryMass.push_back(sum / static_cast<double>(len));
    }
    extras.scalars.emplace_back("segments", static_cast<double>(x.segments()));
    if (!spec.causal) extras.notes.push_back("transformer_xl is causal by construction (its memory holds earlier positions only)");
    return extras;
  }

  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    const XlShape x = xlShapeOf(spec, in.q.rows());
    if (!x.relative) return MaskVariant::applyTransposed(ctx, spec, in, y, out);
    const RelativeScores scores(ctx, x, in);
    out.setZero();
    for (int64_t qb = 0; qb < (x.n + kTile - 1) / kTile; ++qb) {  // serial: blocks overlap in keys
      ctx.checkCancelled();
      const RelativeScores::Block blk = scores.weights(qb, 0);
      out.middleRows(blk.jlo, blk.width).noalias() += blk.p.transpose() * y.middleRows(blk.i0, blk.rows);
    }
  }

  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    const XlShape x = xlShapeOf(spec, in.q.rows());
    if (!x.relative) return MaskVariant::map(ctx, spec, in, grid);
    ScopedSpan span(ctx.profiler, "transformer_xl map", SpanCategory::Kernel);
    const RelativeScores scores(ctx, x, in);
    std::vector<std::vector<uint8_t>> allowed(static_cast<size_t>(poolOf(ctx).size()));
    poolOf(ctx).parallelFor(grid.i0 / kTile, (grid.i1 - 1) / kTile + 1, [&](int64_t qb, int worker) {
      ctx.checkCancelled();
      const RelativeScores::Block blk = scores.weights(qb, worker);
      grid.addTile(blk.i0, blk.jlo, blk.p.data(), blk.rows, blk.width, blk.width);
      std::vector<uint8_t>& ok = allowed[static_cast<size_t>(worker)];
      ok.assign(static_cast<size_t>(blk.rows * blk.width), 0);
      for (int64_t r = 0; r < blk.rows; ++r)
        for (int64_t j = x.lowest(blk.i0 + r); j <= blk.i0 + r; ++j) ok[static_cast<size_t>(r * blk.width + j - blk.jlo)] = 1;
      grid.addComputed(blk.i0, blk.jlo, ok.data(), blk.rows, blk.width, blk.width);
    });
  }
};

const RegisterVariant<TransformerXlVariant> registration;

}  // namespace

Mat transformerXlRelativeTable(int64_t distances, int64_t d) {
  // The table depends on its shape only, and sin/cos/pow per element took a
  // third of a 512-token run (8 heads): the last one is kept, as a model keeps its tables.
  static std::mutex mutex;
  static Mat last;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (last.rows() == distances && last.cols() == d) return last;
  }
  std::vector<double> frequency(static_cast<size_t>(d));
  for (int64_t c = 0; c < d; ++c) frequency[static_cast<size_t>(c)] = std::pow(10000.0, -static_cast<double>(2 * (c / 2)) / static_cast<double>(d));
  Mat r(distances, d);
  for (int64_t t = 0; t < distances; ++t)
    for (int64_t c = 0; c < d; ++c) {
      const double w = frequency[static_cast<size_t>(c)];
      r(t, c) = static_cast<float>(c % 2 == 0 ? std::sin(static_cast<double>(t) * w) : std::cos(static_cast<double>(t) * w));
    }
  const std::lock_guard<std::mutex> lock(mutex);
  last = r;
  return r;
}

void transformerXlBiases(int64_t d, RowVec& u, RowVec& v) {
  Rng rng(0x7EA45F0E11ull);
  u.resize(d);
  v.resize(d);
  for (int64_t c = 0; c < d; ++c) u(c) = static_cast<float>(0.1 * rng.normal());
  for (int64_t c = 0; c < d; ++c) v(c) = static_cast<float>(0.1 * rng.normal());
}

}  // namespace attnscope
