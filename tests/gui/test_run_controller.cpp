// The worker thread: results arrive as plain structs, progress is reported,
// and Cancel stops a long run promptly without a result.
#include <QtTest>

#include <QElapsedTimer>
#include <QSignalSpy>

#include "attention/registry.hpp"
#include "run_controller.hpp"

using namespace attnscope;

class TestRunController : public QObject {
  Q_OBJECT

 private:
  static RunSpec smallSpec(int64_t n) {
    RunSpec spec;
    spec.n = n;
    spec.features.heads = 2;
    spec.features.d = 32;
    spec.repeats = 1;
    spec.warmup = 0;
    spec.attention = makeSpec("dense");
    spec.map = MapRequest{};
    return spec;
  }

 private slots:
  void deliversAResultWithItsMap() {
    RunController controller;
    QSignalSpy finished(&controller, &RunController::finished);
    QSignalSpy progress(&controller, &RunController::progress);
    QSignalSpy done(&controller, &RunController::batchDone);
    controller.start(smallSpec(200));
    QVERIFY(finished.wait(60000));
    const auto result = finished.takeFirst().at(0).value<std::shared_ptr<const RunResult>>();
    QVERIFY(result);
    QVERIFY(result->result.map.has_value());
    QCOMPARE(result->result.map->rows, int64_t{200});
    QCOMPARE(static_cast<int>(result->labels.size()), 200);
    QVERIFY(progress.count() >= 2);
    QVERIFY(done.count() == 1 || done.wait(5000));
    QVERIFY(!controller.busy());
  }

  void cancelStopsALongRunPromptly() {
    RunController controller;
    QSignalSpy failed(&controller, &RunController::failed);
    QSignalSpy finished(&controller, &RunController::finished);
    // Dense at n = 32768 with 8 heads and 5 repeats takes minutes on two cores.
    RunSpec spec = smallSpec(32768);
    spec.features.heads = 8;
    spec.features.d = 64;
    spec.repeats = 5;
    spec.map.reset();
    controller.start(spec);
    QTest::qWait(300);
    QElapsedTimer timer;
    timer.start();
    controller.cancel();
    QVERIFY(failed.wait(10000));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString("cancel took %1 ms").arg(timer.elapsed())));
    QCOMPARE(failed.first().at(1).toBool(), true);  // reported as cancelled, not as an error
    QCOMPARE(finished.count(), 0);
  }

  void errorsComeBackAsMessages() {
    RunController controller;
    QSignalSpy failed(&controller, &RunController::failed);
    RunSpec spec = smallSpec(100);
    spec.sample = "no_such_sample";
    controller.start(spec);
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.first().at(0).toString().contains("unknown sample"));
    QCOMPARE(failed.first().at(1).toBool(), false);
  }

  void batchesReportEachItemAndContinuePastFailures() {
    RunController controller;
    QSignalSpy ready(&controller, &RunController::resultReady);
    QSignalSpy itemFailed(&controller, &RunController::itemFailed);
    QSignalSpy done(&controller, &RunController::batchDone);
    RunSpec bad = smallSpec(64);
    bad.attention = makeSpec("linformer");
    bad.attention.causal = true;  // linformer has no causal form
    RunSpec window = smallSpec(64);
    window.attention = makeSpec("sliding_window");
    controller.startBatch({smallSpec(64), bad, window});
    QVERIFY(done.wait(60000));
    QCOMPARE(ready.count(), 2);
    QCOMPARE(ready.at(0).at(0).toInt(), 0);
    QCOMPARE(ready.at(1).at(0).toInt(), 2);
    QCOMPARE(itemFailed.count(), 1);
    QCOMPARE(itemFailed.first().at(0).toInt(), 1);
    QVERIFY(itemFailed.first().at(1).toString().contains("causal"));
  }

  void aNewRunReplacesTheOldOne() {
    RunController controller;
    QSignalSpy finished(&controller, &RunController::finished);
    RunSpec slow = smallSpec(32768);
    slow.features.heads = 8;
    slow.map.reset();
    controller.start(slow);
    QTest::qWait(100);
    controller.start(smallSpec(64));  // cancels the slow one first
    QVERIFY(finished.wait(30000));
    QTest::qWait(100);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<std::shared_ptr<const RunResult>>()->shape.n, int64_t{64});
  }
};

QTEST_GUILESS_MAIN(TestRunController)
#include "test_run_controller.moc"
