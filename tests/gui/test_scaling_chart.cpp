// The scaling chart draws what it is given: a known point at its place, the
// guides with their slopes, refused points as hollow squares, exponents in the legend.
#include <QChart>
#include <QtTest>
#include <cmath>

#include "scaling_chart.hpp"
#include "view_export.hpp"

using namespace attnscope;

namespace {

SweepPoint point(const std::string& variant, int64_t n, double ms, int64_t bytes) {
  SweepPoint p;
  p.variant = variant;
  p.n = n;
  p.time.medianMs = ms;
  p.memory.runBytes = bytes;
  return p;
}

// Closest pixel colour to `want` within a small square around `at`.
int colourDistance(const QImage& img, QPointF at, QColor want, int radius = 2) {
  int best = 1 << 30;
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx) {
      const QPoint q(qRound(at.x()) + dx, qRound(at.y()) + dy);
      if (!img.rect().contains(q)) continue;
      const QColor c(img.pixel(q));
      best = std::min(best, std::abs(c.red() - want.red()) + std::abs(c.green() - want.green()) + std::abs(c.blue() - want.blue()));
    }
  return best;
}

// Row of the guide pixel in a column, searching between two rows; -1 when none.
int guideRow(const QImage& img, int x, int top, int bottom) {
  const QColor g = guideColor();
  for (int y = std::max(0, top); y < std::min(img.height(), bottom); ++y) {
    const QColor c(img.pixel(x, y));
    if (std::abs(c.red() - g.red()) + std::abs(c.green() - g.green()) + std::abs(c.blue() - g.blue()) < 40) return y;
  }
  return -1;
}

}  // namespace

class TestScalingChart : public QObject {
  Q_OBJECT

 private slots:
  void knownPointIsDrawnAtItsPlace() {
    ScalingChart chart;
    for (int64_t n : {1024, 2048, 4096, 8192}) chart.addPoint(point("dense", n, 1e-6 * double(n) * double(n), n * 1000));
    QCOMPARE(chart.pointCount(), 4);
    const QImage img = renderWidgetImage(&chart, QSize(1200, 500));
    const QPointF at = chart.positionOf(ScalingChart::Time, 2048, 1e-6 * 2048.0 * 2048.0);
    QVERIFY2(img.rect().contains(at.toPoint()), qPrintable(QString("%1,%2").arg(at.x()).arg(at.y())));
    QVERIFY(colourDistance(img, at, chartColor(0), 1) < 30);
    // A point twice as long sits to the right; a point four times slower sits higher.
    const QPointF next = chart.positionOf(ScalingChart::Time, 4096, 4e-6 * 2048.0 * 2048.0);
    QVERIFY(next.x() > at.x() + 20 && next.y() < at.y() - 20);
    QVERIFY(colourDistance(img, next, chartColor(0), 1) < 30);
    // Empty plot area far from the points is not the series colour.
    const QPointF empty = chart.positionOf(ScalingChart::Time, 1024, 1e-6 * 8192.0 * 8192.0);
    QVERIFY(colourDistance(img, empty, chartColor(0), 0) > 100);
    // The memory panel too.
    const QPointF mem = chart.positionOf(ScalingChart::Memory, 4096, 4096.0 * 1000);
    QVERIFY(colourDistance(img, mem, chartColor(0), 1) < 30);
  }

  void quadraticGuideIsSteeper() {
    ScalingChart chart;
    // n^1.5 keeps both guides inside the panel near the middle of the range.
    for (int64_t n : {1024, 2048, 4096, 8192}) chart.addPoint(point("sliding_window", n, 1e-4 * std::pow(double(n), 1.5), n * 100));
    const QImage img = renderWidgetImage(&chart, QSize(1200, 600));
    // Guides cross at the middle of the data; left of it the quadratic one is below, right of it above.
    const double x0 = std::sqrt(1024.0 * 8192.0), y0 = std::sqrt(1e-4 * std::pow(1024.0, 1.5) * 1e-4 * std::pow(8192.0, 1.5));
    double rise[2] = {0, 0};
    for (int slope = 1; slope <= 2; ++slope) {
      const QPointF p = chart.positionOf(ScalingChart::Time, 2048, y0 * std::pow(2048 / x0, slope));
      const QPointF q = chart.positionOf(ScalingChart::Time, 4096, y0 * std::pow(4096 / x0, slope));
      // The guide's pixels are where its formula says (dashes and dots leave gaps: search a little).
      bool found = false;
      for (int dx = -6; dx <= 6 && !found; ++dx) {
        const int row = guideRow(img, qRound(p.x()) + dx, qRound(p.y()) - 6 - std::abs(dx) * slope, qRound(p.y()) + 7 + std::abs(dx) * slope);
        found = row >= 0;
      }
      QVERIFY2(found, qPrintable(QString("guide %1 near %2,%3").arg(slope).arg(p.x()).arg(p.y())));
      rise[slope - 1] = p.y() - q.y();
    }
    // Over the same doubling of n the quadratic guide climbs twice as many pixels.
    QVERIFY(rise[0] > 10);
    QVERIFY(std::abs(rise[1] - 2 * rise[0]) < 2);
  }

  void exponentsAndGuidesInTheLegend() {
    ScalingChart chart;
    for (int64_t n : {1024, 2048, 4096}) chart.addPoint(point("dense", n, 1e-6 * double(n) * double(n), n * 10));
    const QStringList names = chart.legendNames(ScalingChart::Time);
    QVERIFY2(names.size() >= 3, qPrintable(names.join(" | ")));
    // The guides are drawn first (under the data), so they lead the legend.
    QVERIFY2(names.contains("O(n) guide") && names.contains("O(n²) guide"), qPrintable(names.join(" | ")));
    QVERIFY2(names.filter("dense").size() == 1 && names.filter("dense")[0].contains("n^2.00"), qPrintable(names.join(" | ")));
    QVERIFY(chart.legendNames(ScalingChart::Memory).filter("dense")[0].contains("n^1.00"));
  }

  void skippedPointsAreDrawnAsSuch() {
    ScalingChart chart;
    for (int64_t n : {1024, 2048, 4096}) chart.addPoint(point("dense", n, 1e-6 * double(n) * double(n), n * 1000));
    SweepPoint refused = point("dense", 8192, 0, 0);
    refused.status = PointStatus::Skipped;
    refused.message = "skipped: would need 2 GB (budget 1 GB)";
    chart.addPoint(refused);
    QCOMPARE(chart.pointCount(), 4);
    QVERIFY(chart.legendNames(ScalingChart::Time).join(" ").contains("skipped"));
    const QImage img = renderWidgetImage(&chart, QSize(1200, 500));
    // On the fitted line, as a hollow red square: red border, not the series colour inside.
    const double expected = chart.skippedValue(ScalingChart::Time, 0, 8192);
    QVERIFY(std::abs(expected - 1e-6 * 8192.0 * 8192.0) < 1e-3 * expected);
    const QPointF at = chart.positionOf(ScalingChart::Time, 8192, expected);
    QVERIFY(colourDistance(img, at, skippedColor(), 7) < 40);
    QVERIFY(colourDistance(img, at, skippedColor(), 1) > 60);
  }

  void hoverNamesTheNearestPoint() {
    ScalingChart chart;
    for (int64_t n : {1024, 2048, 4096}) chart.addPoint(point("dense", n, 1e-6 * double(n) * double(n), n * 1000));
    renderWidgetImage(&chart, QSize(1200, 500));
    const QPointF at = chart.positionOf(ScalingChart::Time, 2048, 1e-6 * 2048.0 * 2048.0);
    const QString text = chart.describeAt(ScalingChart::Time, at + QPointF(3, -2));
    QVERIFY2(text.contains("dense") && text.contains("n = 2048") && text.contains("4.194 ms"), qPrintable(text));
    QVERIFY(chart.describeAt(ScalingChart::Time, at + QPointF(80, 80)).isEmpty());
    const QString mem = chart.describeAt(ScalingChart::Memory, chart.positionOf(ScalingChart::Memory, 4096, 4096.0 * 1000));
    QVERIFY2(mem.contains("4.096 MB"), qPrintable(mem));
  }

  void emptyChartRenders() {
    ScalingChart chart;
    const QImage img = renderWidgetImage(&chart, QSize(800, 400));
    QVERIFY(!img.isNull());
    QVERIFY(chart.chart(ScalingChart::Time)->title().contains("no finished points"));
  }

  void plotFunctionUsesTheChart() {
    ScalingPlotData data;
    data.title = "time and memory against n";
    ScalingSeries s;
    s.label = "dense";
    s.n = {1024, 2048};
    s.timeMs = {1, 4};
    s.memoryBytes = {1e6, 2e6};
    s.timeExponent = 2;
    data.series.push_back(s);
    const QImage img = renderScalingPlot(data, QSize(1000, 400));
    QCOMPARE(img.size(), QSize(1000, 400));
  }
};

QTEST_MAIN(TestScalingChart)
#include "test_scaling_chart.moc"
