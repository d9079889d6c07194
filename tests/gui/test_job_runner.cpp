// The job runner: typed results off the GUI thread, one end signal per job,
// prompt cancel, errors as messages, a new job replacing the old one (its late
// results dropped), sweeps delivered a point at a time, regions recomputed.
#include <QtTest>

#include <QElapsedTimer>
#include <QSignalSpy>

#include "attention/registry.hpp"
#include "job_runner.hpp"

using namespace attnscope;

class TestJobRunner : public QObject {
  Q_OBJECT

 private:
  static RunSpec smallSpec(int64_t n, const std::string& variant = "dense") {
    RunSpec spec;
    spec.n = n;
    spec.features.heads = 2;
    spec.features.d = 32;
    spec.repeats = 1;
    spec.warmup = 0;
    spec.attention = makeSpec(variant);
    return spec;
  }

  static CompareRequest request(std::vector<RunSpec> specs, bool analyse = true) {
    CompareRequest r;
    r.specs = std::move(specs);
    r.fullMap = analyse;
    r.analysis.spectrum = analyse;
    r.analysis.metrics = analyse;
    return r;
  }

  static RunSpec slowSpec() {
    // Dense at n = 32768 with 8 heads and 5 repeats takes minutes on two cores.
    RunSpec spec = smallSpec(32768);
    spec.features.heads = 8;
    spec.features.d = 64;
    spec.repeats = 5;
    return spec;
  }

  static std::shared_ptr<const CompareItem> itemAt(QSignalSpy& spy, int k) {
    return spy.at(k).at(1).value<std::shared_ptr<const CompareItem>>();
  }

 private slots:
  void compareDeliversTypedItemsAndOneEnd() {
    JobRunner runner;
    QSignalSpy items(&runner, &JobRunner::compareItem);
    QSignalSpy input(&runner, &JobRunner::inputReady);
    QSignalSpy progress(&runner, &JobRunner::progress);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    QSignalSpy failed(&runner, &JobRunner::jobFailed);
    const JobId id = runner.startCompare(request({smallSpec(200), smallSpec(200, "sliding_window")}));
    QVERIFY(runner.busy(JobKind::Compare));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(1).value<JobId>(), id);
    QCOMPARE(finished.first().at(2).toBool(), false);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(input.count(), 1);
    QCOMPARE(items.count(), 2);
    for (int k = 0; k < 2; ++k) {
      const auto item = itemAt(items, k);
      QCOMPARE(item->index, k);
      QVERIFY2(item->error.isEmpty(), qPrintable(item->error));
      QVERIFY(item->run && item->analysis);
      QVERIFY(item->analysis->map && item->analysis->map->exact());
      QCOMPARE(item->analysis->map->rows, int64_t{200});
      QVERIFY(item->analysis->spectrum && item->analysis->metrics);
      QCOMPARE(static_cast<int>(item->input->labels.size()), 200);
    }
    // Dense against itself is exact; the window is not.
    QVERIFY(itemAt(items, 0)->analysis->metrics->outputRelativeError < 1e-4);
    QVERIFY(itemAt(items, 1)->analysis->metrics->outputRelativeError > 1e-4);
    QVERIFY(progress.count() >= 2);
    QVERIFY(!runner.busy(JobKind::Compare));
  }

  void aBatchOnTheSameInputReusesIt() {
    JobRunner runner;
    QSignalSpy input(&runner, &JobRunner::inputReady);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    runner.startCompare(request({smallSpec(128)}, false));
    QVERIFY(finished.wait(30000));
    RunSpec other = smallSpec(128, "sliding_window");
    other.attention.params.assign("window=8");
    runner.startCompare(request({other}, false));  // only the variant changed
    QVERIFY(finished.wait(30000));
    runner.startCompare(request({smallSpec(100)}, false));  // a new crop
    QVERIFY(finished.wait(30000));
    QCOMPARE(input.count(), 3);
    auto at = [&](int k) { return input.at(k).at(1).value<std::shared_ptr<const PreparedInput>>(); };
    QCOMPARE(at(0).get(), at(1).get());
    QVERIFY(at(2).get() != at(0).get());
    QCOMPARE(at(2)->qkv.n(), int64_t{100});
  }

  void cancelIsPrompt() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    QSignalSpy items(&runner, &JobRunner::compareItem);
    runner.startCompare(request({slowSpec()}, false));
    QTest::qWait(300);
    QElapsedTimer timer;
    timer.start();
    runner.cancel(JobKind::Compare);
    QVERIFY(finished.wait(10000));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString("cancel took %1 ms").arg(timer.elapsed())));
    QCOMPARE(finished.first().at(2).toBool(), true);  // cancelled, not an error
    QCOMPARE(items.count(), 0);
  }

  void errorsComeBackAsMessages() {
    JobRunner runner;
    QSignalSpy failed(&runner, &JobRunner::jobFailed);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    RunSpec spec = smallSpec(100);
    spec.sample = "no_such_sample";
    runner.startCompare(request({spec}));
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.first().at(2).toString().contains("unknown sample"), qPrintable(failed.first().at(2).toString()));
    QTest::qWait(50);
    QCOMPARE(finished.count(), 0);  // one end signal: the failure
  }

  void aFailingVariantGivesItsReasonAndTheBatchGoesOn() {
    JobRunner runner;
    QSignalSpy items(&runner, &JobRunner::compareItem);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    RunSpec bad = smallSpec(64, "linformer");
    bad.attention.causal = true;  // linformer has no causal form
    RunSpec refused = smallSpec(64, "sliding_window");
    refused.memoryBudgetBytes = 16;  // the memory guard refuses
    runner.startCompare(request({smallSpec(64), bad, refused, smallSpec(64, "sliding_window")}));
    QVERIFY(finished.wait(60000));
    QCOMPARE(items.count(), 4);
    QVERIFY(itemAt(items, 0)->run);
    QVERIFY(!itemAt(items, 1)->run);
    QVERIFY2(itemAt(items, 1)->error.contains("causal"), qPrintable(itemAt(items, 1)->error));
    QVERIFY(!itemAt(items, 2)->run);
    QVERIFY(!itemAt(items, 2)->error.isEmpty());
    QVERIFY(itemAt(items, 3)->run && itemAt(items, 3)->analysis);
  }

  void aNewJobReplacesTheOldAndDropsItsResults() {
    JobRunner runner;
    QSignalSpy items(&runner, &JobRunner::compareItem);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    const JobId slow = runner.startCompare(request({slowSpec()}, false));
    QTest::qWait(100);
    QElapsedTimer timer;
    timer.start();
    const JobId fast = runner.startCompare(request({smallSpec(64)}));
    QVERIFY(timer.elapsed() < 100);  // starting never waits for the old thread
    // The replaced job ended at once, cancelled.
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(1).value<JobId>(), slow);
    QCOMPARE(finished.first().at(2).toBool(), true);
    QVERIFY(finished.wait(30000));
    QTest::qWait(200);
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.at(1).at(1).value<JobId>(), fast);
    QCOMPARE(items.count(), 1);
    QCOMPARE(items.first().at(0).value<JobId>(), fast);
    QCOMPARE(itemAt(items, 0)->run->shape.n, int64_t{64});
    runner.waitAll();
  }

  void sweepDeliversPointsOneAtATime() {
    JobRunner runner;
    QSignalSpy started(&runner, &JobRunner::sweepStarted);
    QSignalSpy points(&runner, &JobRunner::sweepPoint);
    QSignalSpy done(&runner, &JobRunner::sweepFinished);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    SweepSpec spec;
    spec.base = smallSpec(64);
    spec.variants = {"dense", "sliding_window"};
    spec.lengths = {64, 128};
    runner.startSweep(spec);
    QCOMPARE(started.count(), 1);
    QVERIFY(finished.wait(60000));
    QCOMPARE(points.count(), 4);
    QCOMPARE(done.count(), 1);
    const auto result = done.first().at(1).value<std::shared_ptr<const SweepResult>>();
    QCOMPARE(static_cast<int>(result->points.size()), 4);
    QVERIFY(!result->cancelled);
    QCOMPARE(finished.first().at(2).toBool(), false);
  }

  void cancelledSweepKeepsItsPoints() {
    JobRunner runner;
    QSignalSpy points(&runner, &JobRunner::sweepPoint);
    QSignalSpy done(&runner, &JobRunner::sweepFinished);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    SweepSpec spec;
    spec.base = slowSpec();
    spec.base.repeats = 1;
    spec.variants = {"dense"};
    spec.lengths = {128, 256, 32768, 65536};
    spec.errorVsDense = false;
    runner.startSweep(spec);
    QVERIFY(points.wait(60000));
    while (points.count() < 2) QVERIFY(points.wait(60000));
    QElapsedTimer timer;
    timer.start();
    runner.cancel(JobKind::Sweep);
    QVERIFY(finished.wait(10000));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString("cancel took %1 ms").arg(timer.elapsed())));
    QCOMPARE(finished.first().at(2).toBool(), true);
    QCOMPARE(done.count(), 1);
    const auto result = done.first().at(1).value<std::shared_ptr<const SweepResult>>();
    QVERIFY(result->cancelled);
    QCOMPARE(static_cast<int>(result->points.size()), points.count());
    QVERIFY(result->points.size() >= 2 && result->points.size() < 4);
  }

  void regionIsRecomputedExactly() {
    JobRunner runner;
    QSignalSpy items(&runner, &JobRunner::compareItem);
    QSignalSpy finished(&runner, &JobRunner::jobFinished);
    CompareRequest r = request({smallSpec(6000)}, false);
    r.fullMap = true;  // 6000 tokens: pooled to 1024 cells a side
    runner.startCompare(r);
    QVERIFY(finished.wait(60000));
    const auto item = itemAt(items, 0);
    QVERIFY(item->analysis && item->analysis->map);
    QVERIFY(!item->analysis->map->exact());
    QSignalSpy regions(&runner, &JobRunner::regionItem);
    RegionRequest region;
    region.input = item->input;
    region.indices = {0};
    region.specs = {item->spec.attention};
    region.map = defaultMapRequest(6000, 100, 164, 90, 170);
    runner.startRegion(region);
    QVERIFY(regions.wait(30000));
    const auto got = regions.first().at(1).value<std::shared_ptr<const RegionItem>>();
    QVERIFY2(got->analysis, qPrintable(got->error));
    QVERIFY(got->analysis->map->exact());
    QCOMPARE(got->analysis->map->rows, int64_t{64});
    QCOMPARE(got->analysis->map->cols, int64_t{80});
    QCOMPARE(got->analysis->map->i0, int64_t{100});
  }
};

QTEST_GUILESS_MAIN(TestJobRunner)
#include "test_job_runner.moc"
