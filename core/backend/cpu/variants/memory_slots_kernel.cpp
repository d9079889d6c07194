// The CPU kernel of memory_slots (meaning in attention/variants/memory_slots.cpp):
// segment by segment, reads over [slots; segment] and gated writes.
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/memory_slots.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/lowrank_kernels.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "backend/cpu/workspace.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kMaxSnapshots = 256;
constexpr int64_t kProvenanceMaxN = 4096;             // snapshots keep provenance only up to this n
constexpr int64_t kProvenanceBudget = 16 << 20;       // floats of provenance over all snapshots
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

class MemorySlotsKernel final : public HeadKernel {
 public:
  HeadExtras apply(const ExecContext& ctx, const AttentionSpec& spec, const HeadInput& in, ConstMatRef x, MatRef out) const override {
    VariantRegistry::instance().get("memory_slots").validate(spec, Shape{in.q.rows(), in.q.cols(), in.v.cols(), 1, spec.causal, 1});
    const Slots sl = slotsOf(spec, in);
    const int64_t n = sl.n, S = sl.slots, dx = x.cols(), T = sl.segments(), L = std::min(sl.segment, n);
    ThreadPool& pool = poolOf(ctx);
    ScopedSpan span(ctx.profiler, "memory_slots segments", SpanCategory::Kernel);
    TrackedBuffer mBuf(ctx.meter, S * sl.d), mxBuf(ctx.meter, S * dx), wBuf(ctx.meter, S * L);
    TrackedBuffer readBuf(ctx.meter, pool.size() * kQueryBlock * (S + L)), massBuf(ctx.meter, n);
    MatMap m(mBuf.data(), S, sl.d), mx(mxBuf.data(), S, dx);
    m = memorySlotsInitialQueries(S, sl.d);
    mx.setZero();
    // Provenance, stored undecayed: segment u's columns hold its write weights
    // (times 1 - g after the first); the true P after write t is that times g^(t - u).
    const bool keepProvenance = n <= kProvenanceMaxN;
    TrackedBuffer pBuf(ctx.meter, keepProvenance ? S * n : 0);
    MatMap stored(pBuf.data(), keepProvenance ? S : 0, keepProvenance ? n : 0);
    const int64_t stride = (T + kMaxSnapshots - 1) / kMaxSnapshots;
    int64_t provenanceFloats = 0;
    bool provenanceSkipped = false;
    HeadExtras extras;

    for (int64_t t = 0; t < T; ++t) {
      ctx.checkCancelled();
      const int64_t a = sl.start(t), len = sl.length(t), sc = sl.slotCols(t);
      pool.parallelFor(0, (len + kQueryBlock - 1) / kQueryBlock, [&](int64_t b, int worker) {
        const int64_t i0 = a + b * kQueryBlock, rows = std::min(kQueryBlock, a + len - i0), tc = sl.tokenCols(t, i0, rows);
        MatMap p(readBuf.data() + worker * kQueryBlock * (S + L), rows, sc + tc);
        sl.read(in, m, t, i0, rows, p);
        sgemm(p.rightCols(tc), x.middleRows(a, tc), out.middleRows(i0, rows));
        if (sc > 0) sgemm(p.leftCols(sc), mx, out.middleRows(i0, rows), false, false, 1.0f, 1.0f);
        for (int64_t r = 0; r < rows; ++r) massBuf.data()[i0 + r] = sc > 0 ? p.row(r).head(sc).sum() : 0.0f;
      });
      double mass = 0;
      for (int64_t i = a; i < a + len; ++i) mass += massBuf.data()[i];
      extras.memoryMass.push_back(mass / static_cast<double>(len));

      MatMap w(wBuf.data(), S, len);
      sl.writeWeights(in, m, t, w);
      sl.update(t, w, x, mx);
      sl.update(t, w, in.v, m);
      if (keepProvenance) stored.middleCols(a, len) = (t == 0 ? 1.0f : 1.0f - sl.gate) * w;

      if ((t + 1) % stride == 0 || t == T - 1) {
        MemorySnapshot snap;
        snap.segment = t;
        snap.endToken = a + len;
        snap.slotValues = m;
        if (keepProvenance && (provenanceFloats + S * snap.endToken <= kProvenanceBudget || t == T - 1)) {
          snap.provenance.resize(S, snap.endToken);
          for (int64_t u = 0; u <= t; ++u)
            snap.provenance.middleCols(sl.start(u), sl.length(u)) = stored.middleCols(sl.start(u), sl.length(u)) * std::pow(sl.gate, static_cast<float>(t - u));
          provenanceFloats += S * snap.endToken;
        } else if (keepProvenance) {
          provenanceSkipped = true;
        }
        extras.memory.push_back(std::move(snap));
      }
    }
    extras.notes.push_back("map shows the token-to-token part (slot weights folded onto tokens through provenance)");
    if (stride > 1) extras.notes.push_back("memory trace keeps every " + std::to_string(stride) + "th segment (at most " + std::to_string(kMaxSnapshots) + " snapshots)");
    if (!keepProvenance) extras.notes.push_back("provenance omitted from the memory trace for n > " + std::to_string(kProvenanceMaxN));
    else if (provenanceSkipped)
      extras.notes.push_back("provenance kept for the earlier snapshots and the last one only (size budget)");
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
  double floats = S * d + S * dv + S * L + workers * kQueryBlock * (S + L) + n;
  if (s.n <= kProvenanceMaxN) floats += S * n;
  return 4.0 * floats;
}

}  // namespace attnscope
