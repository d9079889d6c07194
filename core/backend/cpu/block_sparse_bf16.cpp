#include "backend/cpu/block_sparse_bf16.hpp"

#include <algorithm>
#include <vector>

#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/kernels_bf16.hpp"
#include "backend/cpu/segment_plan.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "profiling/profiler.hpp"

namespace attnscope {

namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

const cpu::Bf16Table& table() {
  switch (cpuBf16()) {
    case CpuBf16::Amx: return cpu::kernelsAmx();
    case CpuBf16::Avx512Bf16: return cpu::kernelsAvx512Bf16();
    case CpuBf16::None: break;
  }
  throw Error(ErrorKind::Unsupported, std::string("cpu backend: ") + cpuBf16Refusal());
}

// Layouts of kernels_bf16.hpp, in bf16 elements.
struct Packing {
  int64_t d2p, dvp, stripes, pairs;  // depth pairs, padded values, key stripes, key pairs (with the pad)
  Packing(int64_t nKeys, int64_t d, int64_t dv, int depthPairAlign)
      : d2p(((d + 1) / 2 + depthPairAlign - 1) / depthPairAlign * depthPairAlign),
        dvp((dv + cpu::kStripe - 1) / cpu::kStripe * cpu::kStripe),
        stripes((nKeys + cpu::kStripe - 1) / cpu::kStripe),
        pairs((nKeys + 1) / 2 + cpu::kValuePadPairs) {}
  int64_t stripeLen() const { return cpu::kStripe * d2p * 2; }
  int64_t pairLen() const { return 2 * dvp; }
  int64_t keyHalves() const { return stripes * stripeLen(); }
  int64_t valueHalves() const { return pairs * pairLen(); }
};
// bf16 elements in whole floats, as TrackedBuffer counts.
int64_t floatsFor(int64_t halves) { return std::max<int64_t>(1, (halves + 1) / 2); }

struct Worker : ForwardWorkerCounts {
  cpu::SegmentPlan plan;
  std::vector<float> lse2;
};

}  // namespace

double blockSparseBf16WorkspaceBytes(int64_t n, int64_t d, int64_t dv, int64_t block, int workers) {
  if (!cpuBf16Usable()) return 0.0;
  const cpu::Bf16Table& kern = table();
  const Packing pk(n, d, dv, kern.depthPairAlign);
  const double packed = static_cast<double>(floatsFor(pk.keyHalves()) + (dv > 0 ? floatsFor(pk.valueHalves()) : 0));
  return 4.0 * (packed + static_cast<double>(kern.forwardScratchFloats(block, d, dv)) * std::max(1, workers));
}

BlockSparseStats blockSparseForwardBf16(const ExecContext& ctx, const BlockLayout& layout, ConstMatRef q, ConstMatRef k, ConstMatRef x,
                                        float scale, MatRef out, float* lse) {
  const int64_t b = layout.block, d = q.cols(), dv = x.cols(), nKeys = layout.nKeys;
  if (q.rows() != layout.n || k.rows() != nKeys || x.rows() != nKeys || out.rows() != layout.n || out.cols() != dv || d != k.cols())
    throw Error(ErrorKind::InvalidArgument, "block-sparse bf16 kernel: tensor shapes do not match the layout");
  const cpu::Bf16Table& kern = table();
  ThreadPool& pool = poolOf(ctx);
  const int workers = pool.size();

  // K and V rounded and packed once per call: O(n d) against O(pairs d) of work.
  const Packing pk(nKeys, d, dv, kern.depthPairAlign);
  TrackedBuffer kBuf(ctx.meter, floatsFor(pk.keyHalves()));
  TrackedBuffer vBuf(ctx.meter, dv > 0 ? floatsFor(pk.valueHalves()) : 1);
  auto* kt = reinterpret_cast<cpu::Bf16*>(kBuf.data());
  auto* vp = reinterpret_cast<cpu::Bf16*>(vBuf.data());
  constexpr int64_t kStripesPerTask = 64, kPairsPerTask = 512;
  const int64_t keyTasks = (pk.stripes + kStripesPerTask - 1) / kStripesPerTask;
  const int64_t valueTasks = dv > 0 ? (pk.pairs + kPairsPerTask - 1) / kPairsPerTask : 0;
  pool.parallelFor(0, keyTasks + valueTasks, [&](int64_t t, int) {
    if (t < keyTasks) {
      const int64_t s0 = t * kStripesPerTask, s1 = std::min(pk.stripes, s0 + kStripesPerTask);
      kern.packKeys(k.data(), k.outerStride(), nKeys, d, pk.d2p, s0, s1, kt + s0 * pk.stripeLen());
    } else {
      const int64_t p0 = (t - keyTasks) * kPairsPerTask, p1 = std::min(pk.pairs, p0 + kPairsPerTask);
      kern.packValues(x.data(), x.outerStride(), nKeys, dv, p0, p1, vp + p0 * pk.pairLen());
    }
  });

  const int64_t perWorker = kern.forwardScratchFloats(b, d, dv);
  TrackedBuffer scratch(ctx.meter, perWorker * workers);
  std::vector<Worker> state(static_cast<size_t>(workers));
  const bool timed = ctx.profiler != nullptr;
  const int64_t kernelStart = timed ? traceClockNs() : 0;
  const int64_t nb = layout.rowBlocks();
  pool.parallelFor(0, nb, [&](int64_t task, int worker) {
    const int64_t qb = layout.causal ? nb - 1 - task : task;  // longest causal rows first
    ctx.checkCancelled();
    Worker& w = state[static_cast<size_t>(worker)];
    w.plan.build(layout, qb, kern.maxSegment);
    w.stats.tilesVisited += w.plan.tiles();
    w.stats.pairsAllowed += w.plan.pairs();
    w.lse2.resize(static_cast<size_t>(b));
    const int64_t i0 = qb * b;
    cpu::Bf16ForwardBlock fb;
    fb.q = q.data() + i0 * q.outerStride();
    fb.ldq = q.outerStride();
    fb.rows = w.plan.rows();
    fb.d = d;
    fb.scale2 = scale * kLog2e;
    fb.kt = kt;
    fb.v = vp;
    fb.dv = dv;
    fb.segs = w.plan.segments().data();
    fb.nSegs = static_cast<int64_t>(w.plan.segments().size());
    fb.out = out.data() + i0 * out.outerStride();
    fb.ldo = out.outerStride();
    fb.lse2 = w.lse2.data();
    fb.scratch = scratch.data() + perWorker * worker;
    if (timed) {
      fb.clock = &traceClockNs;
      fb.phaseNs = w.phaseNs;
    }
    kern.forwardBlock(fb);
    if (lse)
      for (int64_t r = 0; r < fb.rows; ++r) lse[i0 + r] = w.lse2[static_cast<size_t>(r)] * kLn2;
  });
  return finishForward(ctx, state, kernelStart, d, dv);
}

}  // namespace attnscope
