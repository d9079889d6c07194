// The memory guard: absurd requests (n, d, heads) and runs over the budget
// are refused quickly, with the predicted and available bytes, having
// allocated nothing.
#include <QtTest>

#include <chrono>

#include "attention/registry.hpp"
#include "experiment/run.hpp"
#include "experiment/sweep.hpp"
#include "profiling/process_memory.hpp"

using namespace attnscope;

namespace {
RunSpec smallSpec() {
  RunSpec s;
  s.n = 256;
  s.features.heads = 1;
  s.features.d = 16;
  s.warmup = 0;
  s.repeats = 1;
  s.attention = makeSpec("dense");
  return s;
}

struct Refusal {
  bool refused = false;
  std::string message;
  int64_t need = 0, budget = 0;
  double seconds = 0;
  int64_t rssGrowth = 0;
};

Refusal attempt(const RunSpec& spec) {
  Refusal r;
  const int64_t rssBefore = processRssBytes();
  const auto t0 = std::chrono::steady_clock::now();
  try {
    runFromSpec(spec);
  } catch (const MemoryRefused& e) {
    r.refused = e.kind() == ErrorKind::TooLarge;
    r.message = e.what();
    r.need = e.needBytes;
    r.budget = e.budgetBytes;
  } catch (const std::exception& e) {
    r.message = std::string("other error: ") + e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.rssGrowth = processRssBytes() - rssBefore;
  return r;
}

void expectRefusal(const RunSpec& spec, const char* what) {
  const Refusal r = attempt(spec);
  QVERIFY2(r.refused, (std::string(what) + ": " + r.message).c_str());
  QVERIFY2(r.seconds < 1.0, what);
  QVERIFY2(r.need > r.budget && r.budget > 0, what);
  const QString message = QString::fromStdString(r.message);
  QVERIFY2(message.contains("would need") && message.contains("budget") && message.contains("nothing was allocated"), what);
  QVERIFY2(message.contains("iB"), what);  // the byte counts, in readable units
  QVERIFY2(r.rssGrowth < 64ll * 1024 * 1024, what);
}
}  // namespace

class TestMemoryGuard : public QObject {
  Q_OBJECT

 private slots:
  void absurdLengthIsRefused() {
    RunSpec s = smallSpec();
    s.n = 1000000000;
    expectRefusal(s, "n = 1e9");
  }

  void absurdWidthIsRefused() {
    RunSpec s = smallSpec();
    s.features.d = 1000000;
    expectRefusal(s, "d = 1e6");
  }

  void absurdHeadCountIsRefused() {
    RunSpec s = smallSpec();
    s.features.heads = 100000;
    s.n = 4096;
    s.features.d = 64;
    expectRefusal(s, "heads = 1e5");
  }

  void budgetRefusesTheRunItself() {
    RunSpec s = smallSpec();
    s.memoryBudgetBytes = 4096;  // far below Q/K/V, so the request guard answers
    expectRefusal(s, "tiny budget");
    // With the inputs already prepared, the run's own guard answers (output + workspace).
    RunSpec prepared = smallSpec();
    Sequence seq = loadInput(prepared);
    Qkv qkv = prepareQkv(prepared, seq);
    prepared.memoryBudgetBytes = 1024;
    try {
      runAttention(prepared, qkv, seq.labels);
      QFAIL("the run must be refused");
    } catch (const MemoryRefused& e) {
      QVERIFY(e.needBytes >= 4 * 256 * 16);
      QCOMPARE(e.budgetBytes, int64_t{1024});
    }
  }

  void withinBudgetRuns() {
    RunSpec s = smallSpec();
    s.memoryBudgetBytes = int64_t{1} << 30;
    const RunResult r = runFromSpec(s);
    QCOMPARE(r.time.samplesMs.size(), size_t{1});
    QVERIFY(r.memory.workspacePeakBytes > 0);
    QVERIFY(r.memory.workspacePredictedBytes > 0);
    // The cost model's workspace is what the kernel took.
    QVERIFY2(std::abs(r.memory.measuredOverPredicted() - 1.0) < 0.25, qPrintable(QString::number(r.memory.measuredOverPredicted())));
    QVERIFY(r.memory.processPeakRssBytes > 0);
  }

  void sweepSkipsRefusedPointsAndGoesOn() {
    SweepSpec s;
    s.base = smallSpec();
    s.variants = {"dense"};
    s.lengths = {128, 1 << 24};  // the second needs far more than the budget below
    s.base.memoryBudgetBytes = int64_t{256} << 20;
    s.errorVsDense = false;
    const auto t0 = std::chrono::steady_clock::now();
    const SweepResult r = runSweep(s);
    QVERIFY(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 5.0);
    QCOMPARE(r.points.size(), size_t{2});
    QCOMPARE(r.points[0].status, PointStatus::Done);
    QCOMPARE(r.points[1].status, PointStatus::Skipped);
    QVERIFY2(QString::fromStdString(r.points[1].message).contains("skipped: would need"), r.points[1].message.c_str());
    QVERIFY(!r.cancelled);
  }
};

QTEST_GUILESS_MAIN(TestMemoryGuard)
#include "test_memory_guard.moc"
