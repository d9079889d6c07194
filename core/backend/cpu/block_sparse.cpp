#include "backend/cpu/block_sparse.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analysis/map_grid.hpp"
#include "backend/cpu/isa_table.hpp"
#include "backend/cpu/map_sink.hpp"
#include "backend/cpu/segment_plan.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

// K^T in 16-key stripes, packed once per call (O(n d), against O(pairs d) of work).
TrackedBuffer packKeys(const ExecContext& ctx, const cpu::IsaTable& kern, ConstMatRef k) {
  const int64_t nKeys = k.rows(), d = k.cols(), stripes = (nKeys + cpu::kStripe - 1) / cpu::kStripe;
  TrackedBuffer kt(ctx.meter, std::max<int64_t>(1, stripes * cpu::kStripe * d));
  constexpr int64_t kStripesPerTask = 64;
  poolOf(ctx).parallelFor(0, (stripes + kStripesPerTask - 1) / kStripesPerTask, [&](int64_t t, int) {
    const int64_t c0 = t * kStripesPerTask * cpu::kStripe, c1 = std::min(stripes, (t + 1) * kStripesPerTask) * cpu::kStripe;
    kern.packStripes(k.data(), k.outerStride(), true, d, nKeys, c0, c1, kt.data() + c0 * d);
  });
  return kt;
}

// Everything one worker reuses from query block to query block.
struct Worker : ForwardWorkerCounts {
  cpu::SegmentPlan plan;
  std::vector<float> lse2;
  TrackedBuffer stored;  // the probe's scores of one query block, when they fit
};

cpu::ForwardBlock forwardArgs(const BlockLayout& layout, int64_t qb, ConstMatRef q, const float* kt, ConstMatRef x, float scale, Worker& w,
                              float* scratch) {
  cpu::ForwardBlock fb;
  const int64_t i0 = qb * layout.block;
  fb.q = q.data() + i0 * q.outerStride();
  fb.ldq = q.outerStride();
  fb.rows = w.plan.rows();
  fb.d = q.cols();
  fb.scale2 = scale * kLog2e;
  fb.kt = kt;
  fb.v = x.data();
  fb.ldv = x.outerStride();
  fb.dv = x.cols();
  fb.segs = w.plan.segments().data();
  fb.nSegs = static_cast<int64_t>(w.plan.segments().size());
  w.lse2.resize(static_cast<size_t>(layout.block));
  fb.lse2 = w.lse2.data();
  fb.scratch = scratch;
  return fb;
}

}  // namespace

void recordPhaseTotals(const ExecContext& ctx, int worker, int64_t scoresNs, int64_t outputNs, int64_t kernelStart, double scoreFlops,
                       double outputFlops) {
  if (!ctx.profiler || (scoresNs == 0 && outputNs == 0)) return;
  const int w = ctx.firstWorker + worker, track = kPhaseTotalsTrackBase + w;
  ctx.profiler->nameTrack(track, "worker " + std::to_string(w) + " phase totals");
  ctx.profiler->record(Span{"scores/softmax", SpanCategory::Kernel, "cpu", track, kernelStart, scoresNs, 0, scoreFlops});
  ctx.profiler->record(Span{"output", SpanCategory::Kernel, "cpu", track, kernelStart + scoresNs, outputNs, 0, outputFlops});
}

double blockSparseWorkspaceBytes(int64_t n, int64_t d, int64_t dv, int64_t block, int workers) {
  const cpu::IsaTable& kern = cpu::kernels();
  const double packed = static_cast<double>(std::max<int64_t>(1, (n + cpu::kStripe - 1) / cpu::kStripe * cpu::kStripe * d));
  return 4.0 * (packed + static_cast<double>(kern.forwardScratchFloats(block, d, dv)) * std::max(1, workers));
}

BlockSparseStats blockSparseForward(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
                                    float scale, MatRef out, float* lse) {
  const int64_t b = layout.block, dv = x.cols();
  if (q.rows() != layout.n || k.rows() != layout.nKeys || x.rows() != layout.nKeys || out.rows() != layout.n || out.cols() != dv ||
      q.cols() != k.cols())
    throw Error(ErrorKind::InvalidArgument, "block-sparse kernel: tensor shapes do not match the layout");
  const cpu::IsaTable& kern = cpu::kernels();
  ThreadPool& pool = poolOf(ctx);
  const int workers = pool.size();
  const TrackedBuffer kt = packKeys(ctx, kern, k);
  const int64_t perWorker = kern.forwardScratchFloats(b, q.cols(), dv);
  TrackedBuffer scratch(ctx.meter, perWorker * workers);
  std::vector<Worker> state(static_cast<size_t>(workers));
  const bool timed = ctx.profiler != nullptr;
  const int64_t kernelStart = timed ? traceClockNs() : 0;

  // Causal rows grow with qb: hand out the longest first so no worker is left
  // with the last long row alone.
  const int64_t nb = layout.rowBlocks();
  pool.parallelFor(0, nb, [&](int64_t task, int worker) {
    const int64_t qb = layout.causal ? nb - 1 - task : task;
    ctx.checkCancelled();
    Worker& w = state[static_cast<size_t>(worker)];
    w.plan.build(layout, qb, kern.maxSegment);
    w.stats.tilesVisited += w.plan.tiles();
    w.stats.pairsAllowed += w.plan.pairs();
    const int64_t i0 = qb * b;
    cpu::ForwardBlock fb = forwardArgs(layout, qb, q, kt.data(), x, scale, w, scratch.data() + perWorker * worker);
    if (!lse) fb.lse2 = nullptr;  // spares a log2 per row
    fb.out = out.data() + i0 * out.outerStride();
    fb.ldo = out.outerStride();
    if (timed) {
      fb.clock = &traceClockNs;
      fb.phaseNs = w.phaseNs;
    }
    kern.forwardBlock(fb);
    if (lse)
      for (int64_t r = 0; r < fb.rows; ++r) lse[i0 + r] = w.lse2[static_cast<size_t>(r)] * kLn2;
  });
  return finishForward(ctx, state, kernelStart, q.cols(), dv);
}

namespace {

// Calls fn(segment, p, ldp, rows, r0) for every segment of query block qb
// that meets keys [j0, j1), with p = A restricted to the segment (0 where not
// allowed) for the block's rows [r0, r0 + rows), the segment's row ranges
// shifted to match.
// lse2 holds the block's rows' base-2 log-sum-exps, or is computed when null.
// Without lse, a query block whose scores fit in kStoredFloats is scored once
// and its log-sum-exps taken from the stored scores (one Q K^T pass instead
// of two); larger ones take a statistics pass first.
constexpr int64_t kStoredFloats = int64_t{1} << 20;
constexpr int64_t kCachedFloats = int64_t{96} << 10;  // 384 KiB of a core's L2
constexpr int64_t kRowQuantum = 12;                   // a multiple of every ISA's row micro-tile

cpu::ProbBlock probArgs(const BlockLayout& layout, int64_t qb, ConstMatRef q, const float* kt, float scale, int64_t rows, float* scratch) {
  cpu::ProbBlock pb;
  pb.q = q.data() + qb * layout.block * q.outerStride();
  pb.ldq = q.outerStride();
  pb.rows = rows;
  pb.d = q.cols();
  pb.scale2 = scale * kLog2e;
  pb.kt = kt;
  pb.scratch = scratch;
  return pb;
}

template <typename Fn>
void forEachProbTile(const cpu::IsaTable& kern, const BlockLayout& layout, int64_t qb, ConstMatRef q, const float* kt, float scale,
                     const float* lse, int64_t j0, int64_t j1, Worker& w, float* scratch, float* p, Fn&& fn, MemoryMeter* meter = nullptr) {
  const int64_t i0 = qb * layout.block;
  w.plan.build(layout, qb, kern.maxSegment);
  const int64_t rows = w.plan.rows();
  w.lse2.resize(static_cast<size_t>(layout.block));
  int64_t width = 0;
  for (const cpu::Segment& sg : w.plan.segments()) width += sg.w;
  if (!lse && width * rows <= kStoredFloats) {
    // Rows in groups whose stored scores stay in L2 (kCachedFloats): at
    // 64 rows x 8192 keys the passes over them (store, softmax, pooling)
    // went to L3 and back.
    const int64_t group = std::min(rows, std::max<int64_t>(kRowQuantum, kCachedFloats / std::max<int64_t>(1, width) / kRowQuantum * kRowQuantum));
    if (w.stored.size() < width * group) w.stored = TrackedBuffer(meter, std::max(width * group, layout.block * kern.maxSegment));
    float* stored = w.stored.data();
    for (int64_t r0 = 0; r0 < rows; r0 += group) {
      const int64_t gr = std::min(group, rows - r0);
      // Segment by segment side by side in the stored rows, for this group's rows.
      auto forGroupSegments = [&](auto&& visit) {
        int64_t off = 0;
        for (cpu::Segment sg : w.plan.segments()) {
          if (!sg.full) sg.lo += r0, sg.hi += r0;
          if (sg.emask) sg.emask += r0 * sg.w;
          visit(sg, off);
          off += sg.w;
        }
      };
      forGroupSegments([&](const cpu::Segment& sg, int64_t off) {
        cpu::ProbBlock pb = probArgs(layout, qb, q, kt, scale, gr, scratch);
        pb.q += r0 * pb.ldq;
        pb.seg = sg;
        pb.p = stored + off;
        pb.ldp = width;
        pb.raw = 1;
        kern.probBlock(pb);
      });
      kern.rowsSoftmax2(stored, width, gr, width, w.lse2.data() + r0);
      forGroupSegments([&](const cpu::Segment& sg, int64_t off) {
        if (sg.j0 + sg.w > j0 && sg.j0 < j1) fn(sg, static_cast<const float*>(stored + off), width, gr, r0);
      });
    }
    return;
  }
  if (lse) {
    for (int64_t r = 0; r < rows; ++r) w.lse2[static_cast<size_t>(r)] = lse[i0 + r] * kLog2e;
  } else {
    const Mat none(layout.nKeys, 0);
    cpu::ForwardBlock fb = forwardArgs(layout, qb, q, kt, none, scale, w, scratch);
    kern.forwardBlock(fb);
  }
  const int64_t ldp = kern.maxSegment;
  for (const cpu::Segment& sg : w.plan.segments()) {
    if (sg.j0 + sg.w <= j0 || sg.j0 >= j1) continue;
    cpu::ProbBlock pb = probArgs(layout, qb, q, kt, scale, rows, scratch);
    pb.lse2 = w.lse2.data();
    pb.seg = sg;
    pb.p = p;
    pb.ldp = ldp;
    kern.probBlock(pb);
    fn(sg, static_cast<const float*>(p), ldp, rows, int64_t{0});
  }
}

int64_t probScratch(const cpu::IsaTable& kern, const BlockLayout& layout, int64_t d) {
  return std::max(kern.probScratchFloats(layout.block, d), kern.forwardScratchFloats(layout.block, d, 0));
}

}  // namespace

void blockSparseProbe(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, float scale, const float* lse,
                      MapGrid& grid) {
  const cpu::IsaTable& kern = cpu::kernels();
  ThreadPool& pool = poolOf(ctx);
  const int workers = pool.size();
  const TrackedBuffer kt = packKeys(ctx, kern, k);
  const int64_t perWorker = probScratch(kern, layout, q.cols()) + layout.block * kern.maxSegment;
  TrackedBuffer scratch(ctx.meter, perWorker * workers);
  std::vector<Worker> state(static_cast<size_t>(workers));
  const int64_t b = layout.block, qbFirst = grid.i0 / b, qbLast = (grid.i1 - 1) / b;
  cpu::MapSink sink(grid, kern);
  std::vector<cpu::MapSink::Local> locals(static_cast<size_t>(workers));
  pool.parallelFor(qbFirst, qbLast + 1, [&](int64_t qb, int worker) {
    ctx.checkCancelled();
    float* base = scratch.data() + perWorker * worker;
    const int64_t i0 = qb * b;
    cpu::MapSink::Local& local = locals[static_cast<size_t>(worker)];
    sink.begin(local, i0, std::min(b, layout.n - i0));
    forEachProbTile(kern, layout, qb, q, kt.data(), scale, lse, grid.j0, grid.j1, state[static_cast<size_t>(worker)], base,
                    base + probScratch(kern, layout, q.cols()),
                    [&](const cpu::Segment& sg, const float* p, int64_t ldp, int64_t rows, int64_t r0) { sink.add(local, i0 + r0, rows, sg, p, ldp); }, ctx.meter);
    sink.flush(local);
  });
}

void blockSparseTransposed(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, float scale, const float* lse,
                           ConstMatRef y, MatRef out) {
  // Query blocks add into rows of out that other query blocks share, so each
  // worker but the first accumulates into its own copy (summed at the end).
  // Each tile's P^T y runs on the ISA's GEMM tile: P transposed into
  // scratch, the block's rows of y packed once per query block.
  const cpu::IsaTable& kern = cpu::kernels();
  ThreadPool& pool = poolOf(ctx);
  const int64_t m = y.cols(), nKeys = layout.nKeys, b = layout.block;
  const int64_t mPad = (m + cpu::kStripe - 1) / cpu::kStripe * cpu::kStripe;
  const int workers = nKeys * m * pool.size() <= (int64_t{1} << 26) ? pool.size() : 1;
  const TrackedBuffer kt = packKeys(ctx, kern, k);
  const int64_t probFloats = probScratch(kern, layout, q.cols()), pFloats = b * kern.maxSegment;
  const int64_t perWorker = probFloats + pFloats + b * mPad + kern.maxSegment * b;
  TrackedBuffer scratch(ctx.meter, perWorker * pool.size());
  TrackedBuffer copies(ctx.meter, (workers - 1) * nKeys * m);
  std::fill(copies.data(), copies.data() + copies.size(), 0.0f);
  out.setZero();
  std::vector<Worker> state(static_cast<size_t>(pool.size()));
  auto task = [&](int64_t qb, int worker) {
    ctx.checkCancelled();
    float* base = scratch.data() + perWorker * worker;
    float* yPacked = base + probFloats + pFloats;
    float* pt = yPacked + b * mPad;
    const int64_t i0 = qb * b, blockRows = std::min(b, layout.n - i0);
    float* target = worker == 0 ? out.data() : copies.data() + (worker - 1) * nKeys * m;
    const int64_t ldt = worker == 0 ? out.outerStride() : m;
    if (m > 0) kern.packStripes(y.data() + i0 * y.outerStride(), y.outerStride(), false, blockRows, m, 0, mPad, yPacked);
    forEachProbTile(kern, layout, qb, q, kt.data(), scale, lse, 0, nKeys, state[static_cast<size_t>(worker)], base, base + probFloats,
                    [&](const cpu::Segment& sg, const float* p, int64_t ldp, int64_t rows, int64_t) {  // r0 = 0: lse is given
                      if (m == 0) return;
                      for (int64_t r = 0; r < rows; ++r)
                        for (int64_t c = 0; c < sg.w; ++c) pt[c * rows + r] = p[r * ldp + c];
                      kern.gemmTile(sg.w, m, rows, pt, rows, yPacked, target + sg.j0 * ldt, ldt);
                    });
  };
  if (workers > 1) {
    pool.parallelFor(0, layout.rowBlocks(), task);
  } else {
    for (int64_t qb = 0; qb < layout.rowBlocks(); ++qb) task(qb, 0);
  }
  for (int w = 1; w < workers; ++w) out += Eigen::Map<const Mat>(copies.data() + (w - 1) * nKeys * m, nKeys, m);
}

}  // namespace attnscope
