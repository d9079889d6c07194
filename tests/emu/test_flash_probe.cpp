// The GPU's attention operator for the analysis (kernels/flash_probe_*: the
// probe kernel's own source and the operator's host code) under the CPU
// emulation, against the CPU's operator on the shared flash cases: the map
// (exact and pooled over a zoomed region), A X and A^T Y. Then the analysis
// itself through a backend whose operator is the emulated one: map, spectrum
// and metrics agree with the CPU's, and a variant the probe cannot form
// falls back to the CPU with a note that says why. (Factored variants have
// their own device operator: test_lowrank_map.cpp.)
#include <QtTest>

#include <cmath>

#include "analysis/analysis_run.hpp"
#include "analysis/head_operator.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "emu_operator_backend.hpp"
#include "emu_probe_device.hpp"
#include "lowrank_probe_operator.hpp"
#include "flash_cases.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

// The flash cases, then the variants whose A the probe forms from rewritten
// or extended keys: relative transformer_xl (Q' . K' at width 2d) and
// hierarchical (summary keys spread over their blocks).
const std::vector<FlashCase>& operatorCases() {
  static const std::vector<FlashCase> cases = [] {
    std::vector<FlashCase> c = flashCases();
    c.push_back({"transformer_xl", {{"segment", "32"}, {"memory", "40"}, {"relative", "true"}}, 150, 32, 2, true});
    c.push_back({"transformer_xl", {{"segment", "50"}, {"memory", "20"}, {"relative", "false"}}, 131, 16, 1, true});
    c.push_back({"hierarchical", {{"block", "16"}}, 130, 32, 2, false});
    c.push_back({"hierarchical", {{"block", "20"}}, 101, 24, 1, true});
    c.push_back({"hierarchical", {{"block", "64"}}, 64, 16, 1, false});  // one block: no summary is visible
    c.push_back({"hierarchical", {{"block", "8"}}, 300, 16, 1, false});  // key chunks of summaries only
    return c;
  }();
  return cases;
}

double maxAbsDiff(const Mat& a, const Mat& b) { return (a - b).cwiseAbs().maxCoeff(); }

// Empty when the two grids agree (A's entries are at most 1, so absolute
// errors are the measure), else what differs.
std::string compareGrids(const MapGrid& got, const MapGrid& want) {
  if (got.rows != want.rows || got.cols != want.cols) return "grid shapes differ";
  const double sumTolerance = 1e-5 * std::max<double>(1.0, want.sum.maxCoeff());
  if (maxAbsDiff(got.sum, want.sum) > sumTolerance) return "sum differs by " + std::to_string(maxAbsDiff(got.sum, want.sum));
  if (maxAbsDiff(got.max, want.max) > 1e-5) return "max differs by " + std::to_string(maxAbsDiff(got.max, want.max));
  if (maxAbsDiff(got.computed, want.computed) > 1e-5) return "computed differs by " + std::to_string(maxAbsDiff(got.computed, want.computed));
  return {};
}

ExecContext hostContext() {
  ExecContext ctx;
  ctx.pool = &ThreadPool::shared();
  return ctx;
}

}  // namespace

class TestFlashProbe : public QObject {
  Q_OBJECT

 private slots:
  void operatorMatchesCpu_data() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < operatorCases().size(); ++i) QTest::addRow("%s", flashCaseName(operatorCases()[i]).c_str()) << static_cast<int>(i);
  }
  void operatorMatchesCpu() {
    QFETCH(int, index);
    const FlashCase& c = operatorCases()[static_cast<size_t>(index)];
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const int head = c.heads - 1;  // the last head: per-head layouts and head offsets matter
    const size_t h = static_cast<size_t>(head);
    const HeadInput in{qkv.q[h], qkv.k[h], qkv.v[h], nullptr, head};
    const ExecContext host = hostContext();
    auto log = std::make_shared<ProbeDeviceLog>();
    {
      std::string why;
      const std::unique_ptr<HeadOperator> op = makeFlashProbeOperator(emulatedProbeDevice(log, emu::Order::Shuffled, 7), spec, qkv, head, nullptr, host, &why);
      QVERIFY2(op, why.c_str());
      const CpuHeadOperator cpu(cpuKernel(spec), spec, in, host);
      const int64_t n = c.n;

      MapGrid exact = MapGrid::forRegion(0, n, 0, n, n, n), exactCpu = MapGrid::forRegion(0, n, 0, n, n, n);
      op->map(exact);
      cpu.map(exactCpu);
      std::string why2 = compareGrids(exact, exactCpu);
      QVERIFY2(why2.empty(), ("exact map: " + why2).c_str());
      // A row of a masked softmax sums to 1 when it attends anything, else to 0.
      for (int64_t i = 0; i < n; ++i) {
        const double s = exact.sum.row(i).cast<double>().sum();
        QVERIFY2(std::abs(s - 1.0) < 1e-4 || std::abs(s) < 1e-12, ("row " + std::to_string(i) + " sums to " + std::to_string(s)).c_str());
      }

      // A zoomed, pooled region whose cells straddle tile edges.
      const int64_t i0 = n / 5, i1 = std::max(i0 + 1, n - 3), j0 = std::min<int64_t>(2, n - 1);
      const int64_t rows = std::min<int64_t>(7, i1 - i0), cols = std::min<int64_t>(9, n - j0);
      MapGrid pooled = MapGrid::forRegion(i0, i1, j0, n, rows, cols), pooledCpu = MapGrid::forRegion(i0, i1, j0, n, rows, cols);
      op->map(pooled);
      cpu.map(pooledCpu);
      why2 = compareGrids(pooled, pooledCpu);
      QVERIFY2(why2.empty(), ("pooled map: " + why2).c_str());

      // A X and A^T Y with column counts that are not multiples of the kernel's chunk.
      const Mat x = randomMatrix(n, 37, 11), y = randomMatrix(n, 33, 12);
      Mat ax(n, 37), axCpu(n, 37), aty(n, 33), atyCpu(n, 33);
      op->apply(x, ax);
      cpu.apply(x, axCpu);
      op->applyTransposed(y, aty);
      cpu.applyTransposed(y, atyCpu);
      QVERIFY2(relativeMaxError(ax, axCpu) < 1e-4, ("A X error " + std::to_string(relativeMaxError(ax, axCpu))).c_str());
      QVERIFY2(relativeMaxError(aty, atyCpu) < 1e-4, ("A^T Y error " + std::to_string(relativeMaxError(aty, atyCpu))).c_str());
      // A^T Y agrees with the map: (A^T Y)_j = sum_i A_ij Y_i.
      const Mat fromMap = exact.sum.transpose() * y;
      QVERIFY2(relativeMaxError(aty, fromMap) < 1e-4, ("A^T Y against the map " + std::to_string(relativeMaxError(aty, fromMap))).c_str());
      QCOMPARE(log->launches, 5);  // row log-sum-exps once, then one launch per product or map
    }
    QCOMPARE(log->overruns, 0);
    QCOMPARE(log->liveBytes, int64_t{0});
  }

  // Blocks in any order give the same A (atomics reorder only the additions).
  void independentOfBlockOrder() {
    const AttentionSpec spec = specOf(flashCases()[7]);  // bigbird, causal, random blocks
    const Qkv qkv = inputsOf(flashCases()[7]);
    const ExecContext host = hostContext();
    MapGrid a = MapGrid::forRegion(0, qkv.n(), 0, qkv.n(), 13, 11), b = a;
    auto log = std::make_shared<ProbeDeviceLog>();
    std::string why;
    makeFlashProbeOperator(emulatedProbeDevice(log, emu::Order::Forward), spec, qkv, 0, nullptr, host, &why)->map(a);
    makeFlashProbeOperator(emulatedProbeDevice(log, emu::Order::Reverse, 3), spec, qkv, 0, nullptr, host, &why)->map(b);
    QVERIFY(a.sum.sum() > 0);
    const std::string diff = compareGrids(a, b);
    QVERIFY2(diff.empty(), diff.c_str());
  }

  void refusesWhatIsNotAMaskedSoftmax() {
    const ExecContext host = hostContext();
    const Qkv qkv = randomQkv(64, 16, 16, 1, 5);
    for (const char* variant : {"performer", "linformer", "memory_slots"}) {
      std::string why;
      auto op = makeFlashProbeOperator(emulatedProbeDevice(std::make_shared<ProbeDeviceLog>()), makeSpec(variant), qkv, 0, nullptr, host, &why);
      QVERIFY2(!op, variant);
      QVERIFY2(why.find("not a masked softmax") != std::string::npos, why.c_str());
    }
  }

  // transformer_xl's mass on memory per segment from the probe's two row
  // passes equals the CPU forward's, relative or not.
  void transformerXlMemoryMassMatchesCpu() {
    const Qkv qkv = randomQkv(170, 32, 32, 2, 41);
    for (const char* relative : {"true", "false"}) {
      AttentionSpec spec = makeSpec("transformer_xl");
      spec.params.set("segment", "40");
      spec.params.set("memory", "30");
      spec.params.set("relative", relative);
      spec.causal = true;
      const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
      const std::unique_ptr<ProbeDevice> device = emulatedProbeDevice(std::make_shared<ProbeDeviceLog>());
      for (int h = 0; h < 2; ++h) {
        const std::vector<double> got = transformerXlMemoryMass(*device, spec, qkv, h);
        const std::vector<double>& want = cpu.extras[static_cast<size_t>(h)].memoryMass;
        QCOMPARE(got.size(), want.size());
        QVERIFY(want.size() == 5 && want[0] == 0.0 && want[1] > 0.01);  // the first segment has no memory
        for (size_t s = 0; s < want.size(); ++s)
          QVERIFY2(std::abs(got[s] - want[s]) < 1e-5, qPrintable(QString("relative=%1 head %2 segment %3: %4 vs %5").arg(relative).arg(h).arg(s).arg(got[s]).arg(want[s])));
      }
    }
  }

  void analysisOnTheDevice() {
    AttentionSpec spec = makeSpec("sliding_window");
    spec.params.set("window", "9");
    spec.causal = true;
    const Qkv qkv = randomQkv(150, 24, 24, 2, 21);
    AnalysisRequest request;
    request.head = 1;
    request.map = defaultMapRequest(qkv.n(), 0, -1, 0, -1);
    request.spectrum = true;
    request.spectrumOptions.forceRandomized = true;
    request.spectrumOptions.rank = 12;
    request.metrics = true;
    const AnalysisResult cpu = analyzeHead(spec, qkv, nullptr, request);
    request.backend = "emulated-cuda";
    const AnalysisResult dev = analyzeHead(spec, qkv, nullptr, request);
    QCOMPARE(dev.computedOn, std::string("cuda (emulated)"));
    QCOMPARE(cpu.computedOn, std::string("cpu"));
    for (const std::string& note : dev.notes) QVERIFY2(note.find("computed on the cpu") == std::string::npos, note.c_str());
    const std::string diff = compareGrids(*dev.map, *cpu.map);
    QVERIFY2(diff.empty(), diff.c_str());
    QCOMPARE(dev.spectrum->sigma.size(), cpu.spectrum->sigma.size());
    for (size_t i = 0; i < cpu.spectrum->sigma.size(); ++i)
      QVERIFY2(std::abs(dev.spectrum->sigma[i] - cpu.spectrum->sigma[i]) <= 1e-3 * cpu.spectrum->sigma.front(), std::to_string(i).c_str());
    QVERIFY(std::abs(dev.metrics->outputRelativeError - cpu.metrics->outputRelativeError) < 1e-4);
    QVERIFY(std::abs(dev.metrics->entropy.mean - cpu.metrics->entropy.mean) < 1e-4);
    QVERIFY(dev.metrics->outputRelativeError > 0.01);  // a window of 9 is not dense: the comparison can fail
  }

  void analysisFallsBackWithANote() {
    const Qkv qkv = randomQkv(96, 16, 16, 1, 31);
    AnalysisRequest request;
    request.map = defaultMapRequest(qkv.n(), 0, -1, 0, -1);
    request.backend = "emulated-cuda";
    const AnalysisResult r = analyzeHead(makeSpec("memory_slots"), qkv, nullptr, request);
    QCOMPARE(r.computedOn, std::string("cpu"));
    bool noted = false;
    for (const std::string& note : r.notes) noted = noted || note.find("A computed on the cpu: cuda (emulated): memory_slots") != std::string::npos;
    QVERIFY(noted);
    QVERIFY(r.map);

    // A precision the CPU has no kernels for (a GPU's fp16 run): A in fp32 on the cpu, said so.
    AttentionSpec fp16 = makeSpec("memory_slots");
    fp16.precision = Precision::Fp16;
    const AnalysisResult half = analyzeHead(fp16, qkv, nullptr, request);
    QVERIFY(half.map && std::abs(half.map->sum.sum() - r.map->sum.sum()) < 1e-3);
    noted = false;
    for (const std::string& note : half.notes) noted = noted || note.find("A formed in fp32 on the cpu") != std::string::npos;
    QVERIFY(noted);

    request.backend = "no-such-backend";
    QVERIFY_THROWS_EXCEPTION(Error, analyzeHead(makeSpec("dense"), qkv, nullptr, request));
  }
};

QTEST_APPLESS_MAIN(TestFlashProbe)
#include "test_flash_probe.moc"
