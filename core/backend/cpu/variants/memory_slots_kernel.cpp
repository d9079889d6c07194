// The CPU kernel of memory_slots (meaning in attention/variants/memory_slots.cpp):
// segment by segment, reads over [slots; segment] and gated writes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/memory_slots.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/lowrank_kernels.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "backend/cpu/variants/small_products.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kMapProvenanceFloats = 16 << 20;    // provenance columns held at once by map()
constexpr int64_t kTransposeStateFloats = 64 << 20;   // stored slot states for applyTransposed
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

// Products and exponentials go through the CPU kernels' ISA (gemm.hpp,
// lowrank_kernels.hpp): with Eigen compiled for SSE2 they took half of a
// 1024-token run and left this variant slower than dense.
void softmaxRows(Eigen::Ref<Mat> p) {
  for (int64_t r = 0; r < p.rows(); ++r) {
    float* row = p.data() + r * p.outerStride();
    const int64_t cols = p.cols();
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, row[c]);
    expShiftedFloor(row, cols, mx, 80.0f);  // weights below e^-80 of the largest are 0
    float sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += row[c];
    const float inv = 1.0f / sum;
    for (int64_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}

struct Slots {
  int64_t n = 0, d = 0, slots = 1, segment = 1;
  float gate = 0.5f, scale = 1.0f;
  bool causal = false;

  int64_t segments() const { return (n + segment - 1) / segment; }
  int64_t start(int64_t t) const { return t * segment; }
  int64_t length(int64_t t) const { return std::min(segment, n - start(t)); }
  // Token columns a query block [i0, i0 + rows) of segment t reads.
  int64_t tokenCols(int64_t t, int64_t i0, int64_t rows) const { return causal ? i0 + rows - start(t) : length(t); }
  int64_t slotCols(int64_t t) const { return t == 0 ? 0 : slots; }

  // p [rows x (slotCols + tokenCols)] = read weights of queries [i0, i0 + rows) in segment t.
  void read(const HeadInput& in, ConstMatRef m, int64_t t, int64_t i0, int64_t rows, Eigen::Ref<Mat> p) const {
    const int64_t sc = slotCols(t), a = start(t), tc = tokenCols(t, i0, rows);
    if (sc > 0) sgemm(in.q.middleRows(i0, rows), m, p.leftCols(sc), false, true, scale);
    sgemm(in.q.middleRows(i0, rows), in.k.middleRows(a, tc), p.rightCols(tc), false, true, scale);
    if (causal)
      for (int64_t r = 0; r < rows; ++r) p.row(r).tail(tc - (i0 + r - a) - 1).setConstant(kNegInf);
    softmaxRows(p);
  }
  // w [S x len] = softmax(s M K_seg^T): the write weights after segment t.
  void writeWeights(const HeadInput& in, ConstMatRef m, int64_t t, Eigen::Ref<Mat> w) const {
    sgemm(m, in.k.middleRows(start(t), length(t)), w, false, true, scale);
    softmaxRows(w);
  }
  // state <- g state + (1 - g) w src_seg (the first write replaces).
  void update(int64_t t, ConstMatRef w, ConstMatRef src, MatRef state) const {
    if (t == 0) sgemm(w, src.middleRows(start(t), length(t)), state);
    else sgemm(w, src.middleRows(start(t), length(t)), state, false, false, 1.0f - gate, gate);
  }
};

Slots slotsOf(const AttentionSpec& spec, const HeadInput& in) {
  Slots s;
  s.n = in.q.rows();
  s.d = in.q.cols();
  s.slots = spec.params.getInt("slots");
  s.segment = spec.params.getInt("segment");
  s.gate = static_cast<float>(spec.params.getFloat("gate"));
  s.scale = 1.0f / std::sqrt(static_cast<float>(s.d));
  s.causal = spec.causal;
  return s;
}

// The forward's scratch: per segment of a chunk, its read panel [d x width]
// (scaled slot keys, then scaled segment keys, each padded to 16 columns)
// and the slot values it reads; per worker, one query block's weights.
constexpr int64_t kChunkFloats = int64_t{1} << 21;  // 8 MiB of read panels at once

struct ReadLayout {
  int64_t slotCols = 0, tokenCols = 0, d = 0, slotValues = 0;
  ReadLayout(int64_t slots, int64_t segment, int64_t n, int64_t headDim, int64_t valueCols)
      : slotCols(small::padded(slots)), tokenCols(small::padded(std::min(segment, std::max<int64_t>(n, 1)))), d(headDim), slotValues(slots * valueCols) {}
  ReadLayout(const Slots& sl, int64_t valueCols) : ReadLayout(sl.slots, sl.segment, sl.n, sl.d, valueCols) {}
  int64_t width() const { return slotCols + tokenCols; }
  int64_t panelFloats() const { return d * width(); }
  int64_t perSegment() const { return panelFloats() + slotValues; }
  int64_t perWorker() const { return kQueryBlock * width(); }
  int64_t chunkSegments(int64_t segments) const { return std::clamp<int64_t>(kChunkFloats / perSegment(), 1, std::max<int64_t>(segments, 1)); }
};

// The seeded initial slot queries depend on (S, d) only; drawing them per
// head per call showed up in short runs, so the last ones are kept.
Mat initialQueries(int64_t slots, int64_t d) {
  static std::mutex mutex;
  static Mat last;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (last.rows() == slots && last.cols() == d) return last;
  }
  Mat m = memorySlotsInitialQueries(slots, d);
  const std::lock_guard<std::mutex> lock(mutex);
  last = m;
  return m;
}

class MemorySlotsKernel final : public HeadKernel {
 public:
  // The write recurrence first, serially, for a chunk of segments (it is
  // small: S x L per segment), keeping each segment's read panel and slot
  // values; then every read of the chunk as one parallel pass, so the pool
  // forks once per chunk instead of once per segment (at n = 512 with four
  // segments the per-segment fork/join and its two-block tasks left this
  // variant at ~1.3x dense's time).
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    VariantRegistry::instance().get("memory_slots").validate(spec, Shape{in.q.rows(), in.q.cols(), in.v.cols(), 1, spec.causal, 1});
    const Slots sl = slotsOf(spec, in);
    const int64_t n = sl.n, S = sl.slots, d = sl.d, dx = x.cols(), T = sl.segments();
    ThreadPool& pool = poolOf(ctx);
    ScopedSpan span(ctx.profiler, "memory_slots segments", SpanCategory::Kernel);
    const ReadLayout lay(sl, dx);
    const int64_t chunk = lay.chunkSegments(T);
    TrackedBuffer mBuf(ctx.meter, S * d), mxBuf(ctx.meter, S * dx), wBuf(ctx.meter, S * lay.tokenCols);
    TrackedBuffer chunkBuf(ctx.meter, chunk * lay.perSegment()), readBuf(ctx.meter, pool.size() * lay.perWorker()), massBuf(ctx.meter, n);
    MatMap m(mBuf.data(), S, d), mx(mxBuf.data(), S, dx);
    m = initialQueries(S, d);
    mx.setZero();
    // Provenance, stored undecayed: segment u's columns hold its write weights
    // (times 1 - g after the first); the true P after write t is that times g^(t - u).
    const bool keepProvenance = n <= kMemorySlotsProvenanceMaxN;
    TrackedBuffer pBuf(ctx.meter, keepProvenance ? S * n : 0);
    MatMap stored(pBuf.data(), keepProvenance ? S : 0, keepProvenance ? n : 0);
    const int64_t stride = memorySlotsSnapshotStride(T);
    HeadExtras extras;

    for (int64_t t0 = 0; t0 < T; t0 += chunk) {
      const int64_t t1 = std::min(T, t0 + chunk);
      for (int64_t t = t0; t < t1; ++t) {
        ctx.checkCancelled();
        const int64_t a = sl.start(t), len = sl.length(t), ldw = small::padded(len);
        float* panel = chunkBuf.data() + (t - t0) * lay.perSegment();
        // Read panel [d x width]: the scaled slot keys before this segment's write, then the segment's scaled keys.
        small::transposeScaled(m, sl.scale, panel, lay.width(), lay.slotCols);
        small::transposeScaled(in.k.middleRows(a, len), sl.scale, panel + lay.slotCols, lay.width(), lay.tokenCols);
        std::copy_n(mx.data(), S * dx, panel + lay.panelFloats());  // slot values read by this segment

        // Write weights [S x len] = softmax(s M K_seg^T), against the same panel's key half.
        float* w = wBuf.data();
        small::product(S, ldw, d, m.data(), d, 1, panel + lay.slotCols, lay.width(), w, ldw);
        small::softmaxRows(w, S, len, ldw);
        // state <- g state + (1 - g) w src_seg (the first write replaces): w scaled by 1 - g, added onto g state.
        const float keep = t == 0 ? 0.0f : sl.gate;
        if (t > 0)
          for (int64_t r = 0; r < S; ++r)
            for (int64_t c = 0; c < len; ++c) w[r * ldw + c] *= 1.0f - sl.gate;
        mx *= keep;
        m *= keep;
        small::product(S, dx, len, w, ldw, 1, x.data() + a * x.outerStride(), x.outerStride(), mx.data(), dx, true);
        small::product(S, d, len, w, ldw, 1, in.v.data() + a * in.v.outerStride(), in.v.outerStride(), m.data(), d, true);
        if (keepProvenance)
          for (int64_t r = 0; r < S; ++r) std::copy_n(w + r * ldw, len, stored.data() + r * n + a);

        if (memorySlotsKeepsSnapshot(t, T)) {
          MemorySnapshot snap;
          snap.segment = t;
          snap.endToken = a + len;
          snap.slotValues = m;
          extras.memory.push_back(std::move(snap));
        }
      }
      // The chunk's reads: one task per query block of every segment in it.
      const int64_t blocksPerSegment = (std::min(sl.segment, n) + kQueryBlock - 1) / kQueryBlock;
      pool.parallelFor(0, (t1 - t0) * blocksPerSegment, [&](int64_t task, int worker) {
        ctx.checkCancelled();
        const int64_t t = t0 + task / blocksPerSegment, a = sl.start(t), len = sl.length(t), i0 = a + (task % blocksPerSegment) * kQueryBlock;
        if (i0 >= a + len) return;
        const int64_t rows = std::min(kQueryBlock, a + len - i0), tc = sl.tokenCols(t, i0, rows), W = lay.slotCols + small::padded(tc);
        const float* panel = chunkBuf.data() + (t - t0) * lay.perSegment();
        float* p = readBuf.data() + worker * lay.perWorker();
        small::product(rows, W, d, in.q.data() + i0 * in.q.outerStride(), in.q.outerStride(), 1, panel, lay.width(), p, W);
        for (int64_t r = 0; r < rows; ++r) {
          float* row = p + r * W;
          // No slots before the first write; slot padding; tokens past the segment (or past i when causal).
          std::fill(row + (t == 0 ? 0 : S), row + lay.slotCols, kNegInf);
          std::fill(row + lay.slotCols + (sl.causal ? i0 + r - a + 1 : tc), row + W, kNegInf);
        }
        small::softmaxRows(p, rows, W, W);
        float* o = out.data() + i0 * out.outerStride();
        small::product(rows, dx, tc, p + lay.slotCols, W, 1, x.data() + a * x.outerStride(), x.outerStride(), o, out.outerStride());
        if (t > 0) small::product(rows, dx, S, p, W, 1, panel + lay.panelFloats(), dx, o, out.outerStride(), true);
        for (int64_t r = 0; r < rows; ++r) massBuf.data()[i0 + r] = small::sum(p + r * W, S);
      });
      for (int64_t t = t0; t < t1; ++t) {
        double mass = 0;
        for (int64_t i = sl.start(t); i < sl.start(t) + sl.length(t); ++i) mass += massBuf.data()[i];
        extras.memoryMass.push_back(mass / static_cast<double>(sl.length(t)));
      }
    }
    extras.notes.push_back("map shows the token-to-token part (slot weights folded onto tokens through provenance)");
    if (stride > 1) extras.notes.push_back("memory trace keeps one segment in " + std::to_string(stride) + " (at most " + std::to_string(kMemorySlotsMaxSnapshots) + " snapshots)");
    attachMemorySlotsProvenance(extras.memory, stored, sl.segment, sl.gate, extras.notes);
    extras.scalars.emplace_back("segments", static_cast<double>(T));
    extras.scalars.emplace_back("slots", static_cast<double>(S));
    return extras;
  }

  // Adjoint of the recurrence: slot states forward, then segments in reverse
  // with G = d<y, out>/d(slot value state).
  void applyTransposed(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef y, MatRef out) const override {
    VariantRegistry::instance().get("memory_slots").validate(spec, Shape{in.q.rows(), in.q.cols(), in.v.cols(), 1, spec.causal, 1});
    const Slots sl = slotsOf(spec, in);
    const int64_t S = sl.slots, T = sl.segments(), L = std::min(sl.segment, sl.n), c = y.cols();
    if (T * S * sl.d > kTransposeStateFloats) return HeadKernel::applyTransposed(ctx, spec, in, y, out);
    TrackedBuffer statesBuf(ctx.meter, T * S * sl.d), wBuf(ctx.meter, S * L), gBuf(ctx.meter, 2 * S * c), pBuf(ctx.meter, kQueryBlock * (S + L));
    auto state = [&](int64_t t) { return MatMap(statesBuf.data() + t * S * sl.d, S, sl.d); };
    state(0) = memorySlotsInitialQueries(S, sl.d);
    for (int64_t t = 0; t + 1 < T; ++t) {  // state(t) is M before segment t
      MatMap w(wBuf.data(), S, sl.length(t)), next = state(t + 1);
      sl.writeWeights(in, state(t), t, w);
      next = state(t);
      sl.update(t, w, in.v, next);
    }
    MatMap g(gBuf.data(), S, c), readGrad(gBuf.data() + S * c, S, c);
    g.setZero();  // G for the state after the last write: unused
    out.setZero();
    for (int64_t t = T - 1; t >= 0; --t) {
      ctx.checkCancelled();
      const int64_t a = sl.start(t), len = sl.length(t), sc = sl.slotCols(t);
      MatMap w(wBuf.data(), S, len);
      sl.writeWeights(in, state(t), t, w);
      // The write of segment t fed the state read from segment t + 1 on.
      out.middleRows(a, len).noalias() += (t == 0 ? 1.0f : 1.0f - sl.gate) * (w.transpose() * g);
      readGrad.setZero();
      for (int64_t i0 = a; i0 < a + len; i0 += kQueryBlock) {
        const int64_t rows = std::min(kQueryBlock, a + len - i0), tc = sl.tokenCols(t, i0, rows);
        MatMap p(pBuf.data(), rows, sc + tc);
        sl.read(in, state(t), t, i0, rows, p);
        out.middleRows(a, tc).noalias() += p.rightCols(tc).transpose() * y.middleRows(i0, rows);
        if (sc > 0) readGrad.noalias() += p.leftCols(sc).transpose() * y.middleRows(i0, rows);
      }
      if (t > 0) g = sl.gate * g + readGrad;
    }
  }

  // Token part directly; slot part as read weights times the provenance in
  // force during the segment, for a band of columns at a time.
  void map(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, MapGrid& grid) const override {
    VariantRegistry::instance().get("memory_slots").validate(spec, Shape{in.q.rows(), in.q.cols(), in.v.cols(), 1, spec.causal, 1});
    const Slots sl = slotsOf(spec, in);
    const int64_t S = sl.slots, L = std::min(sl.segment, sl.n);
    ThreadPool& pool = poolOf(ctx);
    ScopedSpan span(ctx.profiler, "memory_slots map", SpanCategory::Kernel);
    const int64_t band = std::clamp<int64_t>(kMapProvenanceFloats / S, 1, grid.j1 - grid.j0);
    TrackedBuffer mBuf(ctx.meter, S * sl.d), wBuf(ctx.meter, S * L), provBuf(ctx.meter, S * band);
    TrackedBuffer readBuf(ctx.meter, pool.size() * kQueryBlock * (S + L)), tileBuf(ctx.meter, pool.size() * kQueryBlock * std::min<int64_t>(band, 512));
    for (int64_t c0 = grid.j0; c0 < grid.j1; c0 += band) {
      const int64_t c1 = std::min(grid.j1, c0 + band);
      MatMap m(mBuf.data(), S, sl.d), prov(provBuf.data(), S, c1 - c0);  // P over columns [c0, c1)
      m = memorySlotsInitialQueries(S, sl.d);
      prov.setZero();
      for (int64_t t = 0; t < sl.segments() && sl.start(t) < grid.i1; ++t) {
        ctx.checkCancelled();
        const int64_t a = sl.start(t), len = sl.length(t), sc = sl.slotCols(t);
        const int64_t r0 = std::max(a, grid.i0), r1 = std::min(a + len, grid.i1);
        if (r0 < r1) {
          // Query blocks aligned to the segment start, so read() sees whole causal rows.
          pool.parallelFor((r0 - a) / kQueryBlock, (r1 - 1 - a) / kQueryBlock + 1, [&](int64_t b, int worker) {
            const int64_t i0 = a + b * kQueryBlock, rows = std::min(kQueryBlock, a + len - i0), tc = sl.tokenCols(t, i0, rows);
            MatMap p(readBuf.data() + worker * kQueryBlock * (S + L), rows, sc + tc);
            sl.read(in, m, t, i0, rows, p);
            const int64_t ta = std::max(a, c0), tb = std::min(a + tc, c1);
            if (ta < tb) grid.addTile(i0, ta, p.data() + sc + (ta - a), rows, tb - ta, sc + tc);
            // Token pairs inside the segment are scored one by one (slot pairs are not).
            for (int64_t r = 0; r < rows; ++r) grid.addComputedSpan(i0 + r, std::max(a, c0), std::min(sl.causal ? i0 + r + 1 : a + len, c1));
            const int64_t pb = std::min(a, c1);  // slot part covers tokens before the segment
            for (int64_t j0 = c0; sc > 0 && j0 < pb; j0 += 512) {
              const int64_t cols = std::min<int64_t>(512, pb - j0);
              MatMap tile(tileBuf.data() + worker * kQueryBlock * std::min<int64_t>(band, 512), rows, cols);
              tile.noalias() = p.leftCols(sc) * prov.middleCols(j0 - c0, cols);
              grid.addTile(i0, j0, tile.data(), rows, cols, cols);
            }
          });
        }
        MatMap w(wBuf.data(), S, len);
        sl.writeWeights(in, m, t, w);
        if (t > 0) prov.leftCols(std::clamp<int64_t>(a - c0, 0, c1 - c0)) *= sl.gate;
        const int64_t wa = std::max(a, c0), wb = std::min(a + len, c1);
        if (wa < wb) prov.middleCols(wa - c0, wb - wa) = (t == 0 ? 1.0f : 1.0f - sl.gate) * w.middleCols(wa - a, wb - wa);
        sl.update(t, w, in.v, m);
      }
    }
  }
};

const RegisterCpuKernel<MemorySlotsKernel> registration("memory_slots");

}  // namespace

double memorySlotsWorkspaceBytes(const AttentionSpec& spec, const Shape& s) {
  const double n = static_cast<double>(s.n), d = static_cast<double>(s.d), dv = static_cast<double>(s.dv);
  const double S = static_cast<double>(spec.params.getInt("slots")), L = std::min(static_cast<double>(spec.params.getInt("segment")), std::max(n, 1.0));
  const double workers = std::max(1, s.workers);
  // Slot keys and values, write weights, per-worker read weights, per-query
  // memory mass, and (n <= 4096) the provenance; the snapshots are results.
  // Slot keys and values, write weights, the chunk's read panels and slot
  // values, per-worker read weights, per-query memory mass, and (n <= 4096)
  // the provenance; the snapshots are results.
  const ReadLayout lay(spec.params.getInt("slots"), spec.params.getInt("segment"), s.n, s.d, s.dv);
  const double segments = std::ceil(n / std::max(L, 1.0));
  double floats = S * d + S * dv + S * static_cast<double>(lay.tokenCols) + static_cast<double>(lay.chunkSegments(static_cast<int64_t>(segments))) * static_cast<double>(lay.perSegment()) +
                  workers * static_cast<double>(lay.perWorker()) + n;
  if (s.n <= kMemorySlotsProvenanceMaxN) floats += S * n;
  return 4.0 * floats;
}

}  // namespace attnscope
