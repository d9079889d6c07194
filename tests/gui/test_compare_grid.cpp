// The compare area lays out one panel per variant and fills each as results arrive.
#include <QtTest>

#include <QLabel>

#include "compare_grid.hpp"
#include "heatmap_view.hpp"

using namespace attnscope;

class TestCompareGrid : public QObject {
  Q_OBJECT

 private slots:
  void panelsFillIndependently() {
    CompareGrid grid;
    grid.resize(900, 600);
    grid.setPanels({"dense", "sliding_window", "linformer", "performer"});
    QCOMPARE(grid.panelCount(), 4);
    HeatmapData d;
    d.rows = d.cols = 2;
    d.i1 = d.j1 = 2;
    d.values = {1.0f, 0.0f, 0.0f, 1.0f};
    d.scale = ColorScale::Linear;
    grid.setMap(2, d);
    grid.setCaption(2, "linformer: 1.0 ms");
    QVERIFY(grid.view(2)->hasData());
    QVERIFY(!grid.view(0)->hasData());
    QCOMPARE(grid.caption(2)->text(), QString("linformer: 1.0 ms"));
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    // Three panels in the first row, the fourth below the first.
    QCOMPARE(grid.view(3)->mapTo(&grid, QPoint(0, 0)).x(), grid.view(0)->mapTo(&grid, QPoint(0, 0)).x());
    QVERIFY(grid.view(3)->mapTo(&grid, QPoint(0, 0)).y() > grid.view(0)->mapTo(&grid, QPoint(0, 0)).y());
    QVERIFY(grid.view(1)->mapTo(&grid, QPoint(0, 0)).x() > grid.view(0)->mapTo(&grid, QPoint(0, 0)).x());
    // Out-of-range indices are ignored, not a crash.
    grid.setMap(9, d);
    grid.setCaption(-1, "x");
    // Resetting replaces the panels.
    grid.setPanels({"dense"});
    QCOMPARE(grid.panelCount(), 1);
  }
};

QTEST_MAIN(TestCompareGrid)
#include "test_compare_grid.moc"
