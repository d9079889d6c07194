// The Scaling, Trade-off and Profile pages driven through a real JobRunner:
// a sweep fills the chart point by point, Cancel keeps the finished points; a
// parameter sweep draws one curve per variant; a compare batch fills the
// span table, whose trace exports as Chrome JSON; the history keeps each run.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "profile_page.hpp"
#include "run_history.hpp"
#include "scaling_chart.hpp"
#include "scaling_page.hpp"
#include "session_fixture.hpp"
#include "session_model.hpp"
#include "span_table.hpp"
#include "tradeoff_chart.hpp"
#include "tradeoff_page.hpp"

using namespace attnscope;
using attnscope::testing::smallSession;

class TestPagesRun : public QObject {
  Q_OBJECT

 private slots:
  void scalingSweepCancelKeepsPartialPoints() {
    JobRunner runner;
    SessionModel session;
    session.setState(smallSession({"dense", "sliding_window"}));
    RunHistory* history = RunHistory::of(&runner);
    ScalingPage page(PageContext{&runner, &session});
    page.lengthsEdit()->setText("256:65536");
    QSignalSpy ended(&runner, &JobRunner::jobFinished);
    page.startSweep();
    QVERIFY(page.running());
    QVERIFY(page.cancelButton()->isEnabled());
    // Two finished points, then Cancel.
    QTRY_VERIFY_WITH_TIMEOUT(page.points().size() >= 2, 60000);
    QCOMPARE(page.chart()->pointCount(), static_cast<int>(page.points().size()));
    page.cancelButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!page.running(), 60000);
    QVERIFY(page.hasResults());
    const size_t kept = page.points().size();
    QVERIFY(kept >= 2);
    QVERIFY(kept < 2 * 9);  // 9 lengths, 2 variants: stopped early
    QCOMPARE(page.chart()->pointCount(), static_cast<int>(kept));
    QVERIFY(ended.size() >= 1 && ended.last().at(2).toBool());  // ended cancelled
    // The history holds the sweep, cancelled, with its points.
    QCOMPARE(history->runs().size(), size_t(1));
    QVERIFY(history->runs()[0].state == RunRecord::State::Cancelled);
    QCOMPARE(history->runs()[0].points.size(), kept);
    // The comparison table names the measured variants' complexity.
    QVERIFY(page.table()->rowCount() >= 2);
    runner.waitAll();
  }

  void scalingSweepRunsToTheEnd() {
    JobRunner runner;
    SessionModel session;
    session.setState(smallSession({"dense", "sliding_window"}));
    ScalingPage page(PageContext{&runner, &session});
    page.lengthsEdit()->setText("128,256,512");
    QSignalSpy shown(&page, &Page::resultsShown);
    page.runDefault();
    QTRY_VERIFY_WITH_TIMEOUT(page.hasResults(), 60000);
    QCOMPARE(page.points().size(), size_t(6));
    QCOMPARE(page.chart()->data().series.size(), size_t(2));
    QVERIFY(page.chart()->legendNames(ScalingChart::Time).filter("dense").front().contains("n^"));
    nlohmann::json state;
    page.saveState(state);
    QCOMPARE(state["lengths"].get<std::string>(), std::string("128,256,512"));
    // Export: the CLI's CSV (a header and one row per point) and JSON.
    QTemporaryDir dir;
    QString error;
    QVERIFY2(page.exportResults(dir.filePath("s.csv"), &error), qPrintable(error));
    QFile csv(dir.filePath("s.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), 7);
    QVERIFY2(page.exportResults(dir.filePath("s.json"), &error), qPrintable(error));
    runner.waitAll();
  }

  void memoryGuardSkipsAreKept() {
    JobRunner runner;
    SessionModel session;
    SessionState s = smallSession({"dense"});
    s.base.memoryBudgetBytes = 1 << 20;  // 1 MiB: n = 8192 cannot fit
    session.setState(s);
    ScalingPage page(PageContext{&runner, &session});
    page.lengthsEdit()->setText("128,8192");
    page.startSweep();
    QTRY_VERIFY_WITH_TIMEOUT(page.hasResults(), 60000);
    QCOMPARE(page.points().size(), size_t(2));
    QVERIFY(page.points()[1].status == PointStatus::Skipped);
    QCOMPARE(page.chart()->data().series.front().skippedN, std::vector<double>{8192});
    QVERIFY(page.chart()->legendNames(ScalingChart::Time).join(" ").contains("skipped"));
    runner.waitAll();
  }

  void badLengthsSayWhy() {
    JobRunner runner;
    SessionModel session;
    session.setState(smallSession({"dense"}));
    ScalingPage page(PageContext{&runner, &session});
    QSignalSpy messages(&page, &Page::message);
    page.lengthsEdit()->setText("abc");
    page.startSweep();
    QVERIFY(!page.running());
    QCOMPARE(messages.size(), 1);
    QVERIFY(messages.front().front().toString().contains("Cannot start"));
  }

  void tradeoffSweepDrawsACurvePerVariant() {
    JobRunner runner;
    SessionModel session;
    session.setState(smallSession({"dense", "sliding_window", "longformer"}));
    TradeoffPage page(PageContext{&runner, &session});
    QVERIFY(page.selectParameter("window"));
    page.valuesEdit()->setText("8,32");
    page.lengthBox()->setValue(256);
    const SweepSpec spec = page.sweepSpec();
    QCOMPARE(spec.variants, (std::vector<std::string>{"sliding_window", "longformer"}));
    page.startSweep();
    QTRY_VERIFY_WITH_TIMEOUT(page.hasResults(), 60000);
    QCOMPARE(page.chart()->data().curves.size(), size_t(2));
    QCOMPARE(page.chart()->pointCount(), 4);
    // A wider window is closer to dense.
    const TradeoffCurve& c = page.chart()->data().curves.front();
    QVERIFY(c.points[0].error && c.points[1].error && *c.points[1].error < *c.points[0].error);
    // ... and holds more of dense's attention mass.
    QVERIFY(c.points[0].recall && c.points[1].recall && *c.points[1].recall > *c.points[0].recall);
    QVERIFY(*c.points[1].recall <= 1.0 + 1e-9);
    page.metricBox()->setCurrentIndex(1);
    QCOMPARE(page.chart()->metric(), TradeoffChart::Recall);
    runner.waitAll();
  }

  void profileShowsTheBatchTrace() {
    JobRunner runner;
    SessionModel session;
    session.setState(smallSession({"dense", "sliding_window"}));
    ProfilePage page(PageContext{&runner, &session});
    CompareRequest request;
    request.specs = session.compareSpecs();
    runner.startCompare(request);
    QTRY_VERIFY_WITH_TIMEOUT(page.hasResults(), 60000);
    QVERIFY(page.table()->rowCount() > 0);
    QVERIFY(page.table()->phaseCount() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(page.itemBox()->count(), 2, 60000);
    QVERIFY(page.showItem(1));
    QCOMPARE(page.itemBox()->currentText(), QString("sliding_window"));
    QTemporaryDir dir;
    QString error;
    const QString path = dir.filePath("t.json");
    QVERIFY2(page.exportTrace(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const nlohmann::json j = nlohmann::json::parse(f.readAll().toStdString());
    QVERIFY(j.contains("traceEvents") && !j["traceEvents"].empty());
    runner.waitAll();
  }
};

QTEST_MAIN(TestPagesRun)
#include "test_pages_run.moc"
