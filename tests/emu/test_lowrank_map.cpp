// The GPU's operator for factored variants (kernels/lowrank_map_kernel.cuh
// and kernels/lowrank_probe_operator.cpp) under the CPU emulation: the map
// of A = diag(s) L R^T (masked where causal) against a plain pooling of the
// explicit A, exact, pooled and zoomed, with ragged tiles, a rank that is
// not a multiple of the staging depth, negative entries, and blocks that
// walk several row tiles; then linformer's and performer's maps, spectra and
// metrics through the analysis on the emulated device against the CPU's.
#include <QtTest>

#include <cmath>

#include "analysis/analysis_run.hpp"
#include "analysis/head_operator.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "emu_operator_backend.hpp"
#include "emu_probe_device.hpp"
#include "flash_cases.hpp"
#include "lowrank_probe_operator.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

ExecContext hostContext() {
  ExecContext ctx;
  ctx.pool = &ThreadPool::shared();
  return ctx;
}

LowRankFactors randomFactors(int64_t n, int64_t keys, int64_t r, bool causal, bool scaled, uint64_t seed) {
  const Qkv m = randomQkv(std::max(n, keys), r, 1, 1, seed);
  LowRankFactors f;
  f.left = m.q.front().topRows(n);
  f.right = m.k.front().topRows(keys);
  f.causal = causal;
  if (scaled)
    for (int64_t i = 0; i < n; ++i) f.rowScale.push_back(0.25f + 0.01f * static_cast<float>(i % 37));
  return f;
}

// The explicit A pooled by the MapGrid rule, in double: the plain reference.
void referenceMap(const LowRankFactors& f, MapGrid& g) {
  for (int64_t i = g.i0; i < g.i1; ++i)
    for (int64_t j = g.j0; j < g.j1; ++j) {
      double a = 0;
      if (!(f.causal && j > i)) a = f.scale(i) * f.left.row(i).cast<double>().dot(f.right.row(j).cast<double>());
      const int64_t r = g.cellRow(i), c = g.cellCol(j);
      g.sum(r, c) += static_cast<float>(a);
      if (a > g.max(r, c)) g.max(r, c) = static_cast<float>(a);
    }
}

// Empty when the grids agree to fp32 rounding of sums of |a| up to `scale`.
std::string compareGrids(const MapGrid& got, const MapGrid& want, double scale) {
  if (got.rows != want.rows || got.cols != want.cols) return "grid shapes differ";
  const double sumDiff = (got.sum - want.sum).cwiseAbs().maxCoeff(), maxDiff = (got.max - want.max).cwiseAbs().maxCoeff();
  if (sumDiff > 1e-5 * scale) return "sum differs by " + std::to_string(sumDiff);
  if (maxDiff > 1e-5 * scale) return "max differs by " + std::to_string(maxDiff);
  return {};
}

}  // namespace

class TestLowRankMap : public QObject {
  Q_OBJECT

 private slots:
  void mapMatchesExplicitA_data() {
    QTest::addColumn<qlonglong>("n");
    QTest::addColumn<qlonglong>("keys");
    QTest::addColumn<int>("rank");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<bool>("scaled");
    QTest::addRow("square, rank 40") << 150LL << 150LL << 40 << false << true;
    QTest::addRow("causal") << 150LL << 150LL << 24 << true << true;
    QTest::addRow("causal, rank 1") << 131LL << 131LL << 1 << true << false;
    QTest::addRow("more keys than rows") << 70LL << 200LL << 33 << false << false;
    QTest::addRow("one row tile, ragged") << 37LL << 37LL << 64 << true << true;
  }

  void mapMatchesExplicitA() {
    QFETCH(qlonglong, n);
    QFETCH(qlonglong, keys);
    QFETCH(int, rank);
    QFETCH(bool, causal);
    QFETCH(bool, scaled);
    const LowRankFactors f = randomFactors(n, keys, rank, causal, scaled, 7);
    const ExecContext host = hostContext();
    auto log = std::make_shared<ProbeDeviceLog>();
    {
      auto op = makeLowRankProbeOperator(emulatedProbeDevice(log), makeSpec("performer"), f, host);
      const double scale = std::sqrt(static_cast<double>(rank)) * 4;  // |a| of random unit-variance factors
      // Exact, pooled over the whole of A, a zoomed region whose cells straddle
      // tile edges, and a thin strip of full-width rows (the metrics' stripes).
      const std::vector<std::array<int64_t, 6>> regions = {{0, n, 0, keys, n, keys},
                                                           {0, n, 0, keys, std::min<int64_t>(n, 9), std::min<int64_t>(keys, 13)},
                                                           {n / 5, n - 2, 3, keys, std::min<int64_t>(n - 2 - n / 5, 7), std::min<int64_t>(keys - 3, 61)},
                                                           {n / 2, n / 2 + 1, 0, keys, 1, keys}};
      for (const auto& r : regions) {
        MapGrid got = MapGrid::forRegion(r[0], r[1], r[2], r[3], r[4], r[5]), want = got;
        op->map(got);
        referenceMap(f, want);
        const std::string diff = compareGrids(got, want, scale);
        QVERIFY2(diff.empty(), qPrintable(QString("region [%1,%2)x[%3,%4) at %5x%6: ").arg(r[0]).arg(r[1]).arg(r[2]).arg(r[3]).arg(r[4]).arg(r[5]) +
                                          QString::fromStdString(diff)));
        QVERIFY(got.max.minCoeff() >= 0.0f);  // negative entries never raise the max above its start
      }
      QCOMPARE(log->launches, 4);
    }
    QCOMPARE(log->overruns, 0);
    QCOMPARE(log->liveBytes, 0);
  }

  // Blocks that each walk several row tiles (the launch caps its blocks in y)
  // form the same map, and so does another thread order.
  void rowTilesPerBlockAndOrder() {
    const LowRankFactors f = randomFactors(300, 300, 20, true, true, 9);
    const ExecContext host = hostContext();
    auto capped = std::make_shared<ProbeDeviceLog>();
    capped->lowRankGridY = 2;  // 5 row tiles over 2 blocks
    MapGrid a = MapGrid::forRegion(0, 300, 0, 300, 41, 300), b = a, want = a;
    makeLowRankProbeOperator(emulatedProbeDevice(capped, emu::Order::Forward), makeSpec("performer"), f, host)->map(a);
    makeLowRankProbeOperator(emulatedProbeDevice(std::make_shared<ProbeDeviceLog>(), emu::Order::Reverse, 5), makeSpec("performer"), f, host)->map(b);
    referenceMap(f, want);
    QVERIFY2(compareGrids(a, want, 20).empty(), compareGrids(a, want, 20).c_str());
    QVERIFY2(compareGrids(b, want, 20).empty(), compareGrids(b, want, 20).c_str());
  }

  void badRegionIsAnError() {
    const LowRankFactors f = randomFactors(40, 40, 4, false, false, 3);
    const ExecContext host = hostContext();
    auto op = makeLowRankProbeOperator(emulatedProbeDevice(std::make_shared<ProbeDeviceLog>()), makeSpec("performer"), f, host);
    MapGrid outside = MapGrid::forRegion(0, 50, 0, 40, 5, 5);  // rows past A's 40
    QVERIFY_THROWS_EXCEPTION(Error, op->map(outside));
    LowRankMapParams p;
    QVERIFY(!lowRankMapCheckParams(p).empty());
  }

  void analysisOnTheDevice_data() {
    QTest::addColumn<QString>("variant");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("value");
    QTest::addRow("linformer gaussian") << "linformer" << false << "projection" << "gaussian";
    QTest::addRow("linformer mean_pool") << "linformer" << false << "projection" << "mean_pool";
    QTest::addRow("performer") << "performer" << false << "features" << "40";
    QTest::addRow("performer causal") << "performer" << true << "features" << "40";
  }

  void analysisOnTheDevice() {
    QFETCH(QString, variant);
    QFETCH(bool, causal);
    QFETCH(QString, param);
    QFETCH(QString, value);
    AttentionSpec spec = makeSpec(variant.toStdString());
    spec.params.set(param.toStdString(), value.toStdString());
    if (variant == "linformer") spec.params.set("k", "20");
    spec.causal = causal;
    const Qkv qkv = randomQkv(140, 16, 16, 2, 13);
    AnalysisRequest request;
    request.head = 1;
    request.map = defaultMapRequest(qkv.n(), 0, -1, 0, -1);
    request.spectrum = true;
    request.spectrumOptions.forceRandomized = true;
    request.spectrumOptions.rank = 10;
    request.metrics = true;
    const AnalysisResult cpu = analyzeHead(spec, qkv, nullptr, request);
    request.backend = "emulated-cuda";
    const AnalysisResult dev = analyzeHead(spec, qkv, nullptr, request);
    QCOMPARE(dev.computedOn, std::string("cuda (emulated) map, cpu products"));
    for (const std::string& note : dev.notes) QVERIFY2(note.find("computed on the cpu") == std::string::npos, note.c_str());
    const std::string diff = compareGrids(*dev.map, *cpu.map, 1.0);
    QVERIFY2(diff.empty(), diff.c_str());
    QVERIFY(cpu.map->max.maxCoeff() > 0.01);  // a map to compare, not zeros
    QCOMPARE(dev.spectrum->sigma.size(), cpu.spectrum->sigma.size());
    for (size_t i = 0; i < cpu.spectrum->sigma.size(); ++i)
      QVERIFY2(std::abs(dev.spectrum->sigma[i] - cpu.spectrum->sigma[i]) <= 1e-3 * cpu.spectrum->sigma.front(), std::to_string(i).c_str());
    // The variant's extras reach the device's analysis too: the spectrum's marks (k, features) and the notes.
    QCOMPARE(dev.spectrum->marks.size(), cpu.spectrum->marks.size());
    QVERIFY(!cpu.spectrum->marks.empty());
    for (size_t i = 0; i < cpu.spectrum->marks.size(); ++i) {
      QCOMPARE(dev.spectrum->marks[i].name, cpu.spectrum->marks[i].name);
      QCOMPARE(dev.spectrum->marks[i].index, cpu.spectrum->marks[i].index);
    }
    QVERIFY(std::abs(dev.metrics->outputRelativeError - cpu.metrics->outputRelativeError) < 1e-4);
    QVERIFY(std::abs(dev.metrics->entropy.mean - cpu.metrics->entropy.mean) < 1e-4);
    QVERIFY(dev.metrics->outputRelativeError > 0.01);  // low rank is not dense: the comparison can fail
  }
};

QTEST_APPLESS_MAIN(TestLowRankMap)
#include "test_lowrank_map.moc"
