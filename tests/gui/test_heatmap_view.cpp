// The heatmap view draws what it is given: pixels and tooltips checked.
#include <QtTest>

#include "heatmap_view.hpp"

using namespace attnscope;

class TestHeatmapView : public QObject {
  Q_OBJECT

 private:
  static HeatmapData diagonal(int n) {
    HeatmapData d;
    d.rows = d.cols = n;
    d.i0 = d.j0 = 0;
    d.i1 = d.j1 = n;
    d.values.assign(static_cast<size_t>(n * n), 0.0f);
    for (int i = 0; i < n; ++i) d.values[static_cast<size_t>(i * n + i)] = 1.0f;
    d.labels = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"The", "Harbor", "clause", ":"});
    d.scale = ColorScale::Linear;
    return d;
  }

 private slots:
  void rendersColormapEnds() {
    const QImage img = renderHeatmapImage(diagonal(4));
    QCOMPARE(img.size(), QSize(4, 4));
    // Viridis: weight 1 is yellow (253, 231, 37), weight 0 is dark purple (68, 1, 84).
    QCOMPARE(QColor(img.pixel(2, 2)), QColor(253, 231, 37));
    QCOMPARE(QColor(img.pixel(1, 2)), QColor(68, 1, 84));
  }

  void logScaleSeparatesSmallWeights() {
    HeatmapData d = diagonal(4);
    d.scale = ColorScale::Log;
    d.values[1] = 0.01f;  // visible on a log scale, invisible on a linear one
    const QImage img = renderHeatmapImage(d);
    QVERIFY(QColor(img.pixel(1, 0)) != QColor(img.pixel(2, 0)));
  }

  void viewPaintsTheCells() {
    HeatmapView view;
    view.resize(400, 400);
    view.setData(diagonal(4));
    const QImage shot = view.grab().toImage();
    const QRect plot = view.plotRect();
    // The centre of cell (0, 0) is on the diagonal: bright; cell (0, 3) is dark.
    const QPoint onDiagonal(plot.left() + plot.width() / 8, plot.top() + plot.height() / 8);
    const QPoint offDiagonal(plot.left() + 7 * plot.width() / 8, plot.top() + plot.height() / 8);
    QCOMPARE(QColor(shot.pixel(onDiagonal)), QColor(253, 231, 37));
    QCOMPARE(QColor(shot.pixel(offDiagonal)), QColor(68, 1, 84));
  }

  void tooltipNamesBothTokens() {
    HeatmapView view;
    view.resize(400, 400);
    view.setData(diagonal(4));
    const QRect plot = view.plotRect();
    const QString text = view.describeAt(QPoint(plot.left() + 3 * plot.width() / 8, plot.top() + 3 * plot.height() / 8));
    QVERIFY2(text.contains("i = 1") && text.contains("j = 1") && text.contains("Harbor") && text.contains("weight = 1"), qPrintable(text));
    QVERIFY(view.describeAt(QPoint(1, 1)).isEmpty());
  }

  void pooledCellsDescribeTheirRange() {
    HeatmapData d;
    d.rows = d.cols = 2;
    d.i0 = d.j0 = 0;
    d.i1 = d.j1 = 100;
    d.values = {0.5f, 0.1f, 0.2f, 0.3f};
    d.maxValues = {0.9f, 0.2f, 0.4f, 0.6f};
    HeatmapView view;
    view.resize(400, 400);
    view.setData(d);
    const QRect plot = view.plotRect();
    const QString text = view.describeAt(QPoint(plot.left() + 3 * plot.width() / 4, plot.top() + plot.height() / 4));
    QVERIFY2(text.contains("i = 0..49") && text.contains("j = 50..99") && text.contains("max = 0.2"), qPrintable(text));
  }
};

QTEST_MAIN(TestHeatmapView)
#include "test_heatmap_view.moc"
