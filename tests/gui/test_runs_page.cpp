// The Runs page compares two runs of the history: metrics side by side with
// the difference, and the map of A1 - A2 when the two maps share a grid.
#include <QTableWidget>
#include <QtTest>

#include "heatmap_view.hpp"
#include "runs_page.hpp"

using namespace attnscope;

namespace {

// A compare item with a 4 x 4 exact map whose cell (i, j) is base + i * 0.1 + j * 0.01.
std::shared_ptr<const CompareItem> knownItem(const std::string& variant, double ms, float base, int64_t cells = 4) {
  auto item = std::make_shared<CompareItem>();
  item->index = 0;
  item->spec.attention.variant = variant;
  auto run = std::make_shared<RunResult>();
  run->shape.n = 4;
  run->shape.heads = 1;
  run->time.medianMs = ms;
  run->time.minMs = ms;
  run->time.maxMs = ms;
  item->run = run;
  auto analysis = std::make_shared<AnalysisResult>();
  MapGrid grid = MapGrid::forRegion(0, 4, 0, 4, cells, cells);
  grid.sum = Mat::Zero(cells, cells);
  grid.max = Mat::Zero(cells, cells);
  for (int64_t i = 0; i < cells; ++i)
    for (int64_t j = 0; j < cells; ++j) grid.sum(i, j) = grid.max(i, j) = base + 0.1f * float(i) + 0.01f * float(j);
  analysis->map = grid;
  analysis->pairs.fraction = 0.5;
  item->analysis = analysis;
  return item;
}

}  // namespace

class TestRunsPage : public QObject {
  Q_OBJECT

 private slots:
  void diffOfTwoKnownMaps() {
    JobRunner runner;
    RunHistory* history = RunHistory::of(&runner);
    QCOMPARE(RunHistory::of(&runner), history);  // one per runner
    history->beginRun(JobKind::Compare, 11).specs.resize(1);
    history->addItem(11, knownItem("dense", 10, 0.5f));
    history->beginRun(JobKind::Compare, 12).specs.resize(1);
    history->addItem(12, knownItem("sliding_window", 4, 0.25f));
    RunsPage page(PageContext{&runner, nullptr});
    page.resize(1000, 800);
    QVERIFY(page.compare(1, 0, 2, 0));
    QVERIFY(!page.hasResults());  // still running
    emit runner.jobFinished(JobKind::Compare, 11, false);
    emit runner.jobFinished(JobKind::Compare, 12, false);
    QVERIFY(page.compare(1, 0, 2, 0));
    QVERIFY(page.hasResults());

    const HeatmapData& diff = page.mapView(2)->data();
    QCOMPARE(diff.rows, int64_t(4));
    QCOMPARE(diff.cols, int64_t(4));
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t c = 0; c < 4; ++c) QVERIFY(std::abs(diff.at(r, c) - 0.25f) < 1e-6f);
    QCOMPARE(page.mapView(0)->data().at(3, 2), 0.5f + 0.3f + 0.02f);
    QVERIFY(page.diffNote().contains("A1 - A2"));

    // Metrics side by side: the median time of each and B - A.
    QTableWidget* t = page.table();
    int row = -1;
    for (int i = 0; i < t->rowCount(); ++i)
      if (t->item(i, 0)->text().startsWith("time, median")) row = i;
    QVERIFY(row >= 0);
    QCOMPARE(t->item(row, 1)->text(), QString("10"));
    QCOMPARE(t->item(row, 2)->text(), QString("4"));
    QVERIFY2(t->item(row, 3)->text().startsWith("-6") && t->item(row, 3)->text().contains("-60.0 %"), qPrintable(t->item(row, 3)->text()));

    // The view shades the difference: cells differ from an empty view.
    const QImage shot = page.mapView(2)->grab().toImage();
    QVERIFY(!shot.isNull());
  }

  void differentGridsSayWhy() {
    JobRunner runner;
    RunHistory* history = RunHistory::of(&runner);
    history->beginRun(JobKind::Compare, 1).specs.resize(1);
    history->addItem(1, knownItem("dense", 10, 0.5f, 4));
    history->beginRun(JobKind::Compare, 2).specs.resize(1);
    history->addItem(2, knownItem("dense", 12, 0.5f, 2));
    RunsPage page(PageContext{&runner, nullptr});
    QVERIFY(page.compare(1, 0, 2, 0));
    QCOMPARE(page.mapView(2)->data().rows, int64_t(0));
    QVERIFY2(page.diffNote().contains("different grids"), qPrintable(page.diffNote()));
  }

  void sweepRunsCompareTheirExponents() {
    JobRunner runner;
    RunHistory* history = RunHistory::of(&runner);
    for (JobId job : {JobId(1), JobId(2)}) {
      RunRecord& r = history->beginRun(JobKind::Sweep, job);
      r.sweepSpec = SweepSpec{};
      for (int64_t n : {512, 1024, 2048}) {
        SweepPoint p;
        p.variant = "dense";
        p.n = n;
        p.time.medianMs = 1e-6 * double(n) * double(n) * (job == 1 ? 1.0 : 2.0);
        p.memory.runBytes = n * 100;
        r.points.push_back(p);
      }
    }
    RunsPage page(PageContext{&runner, nullptr});
    QVERIFY(page.compare(1, 0, 2, 0));
    QTableWidget* t = page.table();
    bool found = false;
    for (int i = 0; i < t->rowCount(); ++i)
      if (t->item(i, 0)->text() == "dense: time exponent") {
        found = true;
        QCOMPARE(t->item(i, 1)->text(), QString("2"));
        QCOMPARE(t->item(i, 2)->text(), QString("2"));
      }
    QVERIFY(found);
    QVERIFY(page.diffNote().contains("sweep keeps no maps"));
    QVERIFY(!page.hasResults());  // both still running
  }

  void unknownRunsAreRefused() {
    JobRunner runner;
    RunsPage page(PageContext{&runner, nullptr});
    QVERIFY(!page.compare(1, 0, 2, 0));
    QVERIFY(!page.hasResults());
  }
};

QTEST_MAIN(TestRunsPage)
#include "test_runs_page.moc"
