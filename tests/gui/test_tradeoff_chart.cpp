// The trade-off chart draws a known curve: each value of the parameter at its
// (time, error) and (memory, error), joined in the order of the values.
#include <QChart>
#include <QtTest>

#include "scaling_chart.hpp"
#include "tradeoff_chart.hpp"
#include "view_export.hpp"

using namespace attnscope;

namespace {

SweepPoint point(const std::string& variant, const std::string& window, double ms, int64_t bytes, std::optional<double> error) {
  SweepPoint p;
  p.variant = variant;
  p.params = {{"window", window}};
  p.n = 2048;
  p.time.medianMs = ms;
  p.memory.runBytes = bytes;
  p.errorVsDense = error;
  return p;
}

int colourDistance(const QImage& img, QPointF at, QColor want, int radius) {
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

}  // namespace

class TestTradeoffChart : public QObject {
  Q_OBJECT

 private slots:
  void groupsPointsIntoCurves() {
    const std::vector<SweepPoint> points = {point("sliding_window", "16", 1, 1000000, 0.3), point("longformer", "16", 2, 2000000, 0.2),
                                            point("sliding_window", "64", 2, 1500000, 0.1), point("sliding_window", "256", 4, 3000000, 0.02)};
    const TradeoffData data = tradeoffData(points, "window");
    QCOMPARE(data.curves.size(), size_t(2));
    QCOMPARE(data.curves[0].label, std::string("sliding_window"));
    QCOMPARE(data.curves[0].points.size(), size_t(3));
    QCOMPARE(data.curves[0].points[2].value, std::string("256"));
    QCOMPARE(data.n, int64_t(2048));
  }

  void rendersAKnownCurve() {
    TradeoffChart chart;
    chart.setParameter("window", 2048);
    chart.addPoint(point("sliding_window", "16", 1, 1000000, 0.3));
    chart.addPoint(point("sliding_window", "64", 2, 2000000, 0.1));
    chart.addPoint(point("sliding_window", "256", 8, 8000000, 0.01));
    QCOMPARE(chart.pointCount(), 3);
    const QImage img = renderWidgetImage(&chart, QSize(1200, 500));
    const QColor colour = chartColor(0);
    for (TradeoffChart::Panel panel : {TradeoffChart::AgainstTime, TradeoffChart::AgainstMemory}) {
      const bool time = panel == TradeoffChart::AgainstTime;
      const QPointF a = chart.positionOf(panel, time ? 1 : 1e6, 0.3);
      const QPointF b = chart.positionOf(panel, time ? 2 : 2e6, 0.1);
      const QPointF c = chart.positionOf(panel, time ? 8 : 8e6, 0.01);
      QVERIFY(colourDistance(img, a, colour, 1) < 30);
      QVERIFY(colourDistance(img, b, colour, 1) < 30);
      QVERIFY(colourDistance(img, c, colour, 1) < 30);
      // Faster to the left, lower error further down; the segment between is drawn.
      QVERIFY(a.x() < b.x() && b.x() < c.x());
      QVERIFY(a.y() < b.y() && b.y() < c.y());
      QVERIFY(colourDistance(img, (b + c) / 2, colour, 2) < 60);
      // Away from the curve: no series colour.
      QVERIFY(colourDistance(img, QPointF(a.x(), c.y()), colour, 0) > 100);
    }
    const QStringList names = chart.legendNames(TradeoffChart::AgainstTime);
    QCOMPARE(names.size(), 1);
    QVERIFY2(names[0].contains("sliding_window") && names[0].contains("16") && names[0].contains("256"), qPrintable(names[0]));
    QVERIFY(chart.chart(TradeoffChart::AgainstTime)->title().contains("window"));
  }

  void recallOnALinearAxis() {
    TradeoffChart chart;
    chart.setParameter("window", 2048);
    SweepPoint a = point("sliding_window", "16", 1, 1000000, 0.3), b = point("sliding_window", "256", 8, 8000000, 0.01);
    a.recallMean = 0.6;
    b.recallMean = 0.95;
    chart.addPoint(a);
    chart.addPoint(b);
    chart.setMetric(TradeoffChart::Recall);
    const QImage img = renderWidgetImage(&chart, QSize(1200, 500));
    const QPointF pa = chart.positionOf(TradeoffChart::AgainstTime, 1, 0.6), pb = chart.positionOf(TradeoffChart::AgainstTime, 8, 0.95);
    QVERIFY(colourDistance(img, pa, chartColor(0), 1) < 30);
    QVERIFY(colourDistance(img, pb, chartColor(0), 1) < 30);
    QVERIFY(pb.y() < pa.y());  // higher recall is higher up
    // Linear: 0.6 -> 0.95 and 0.95 -> 1.0 keep their proportions.
    const QPointF top = chart.positionOf(TradeoffChart::AgainstTime, 8, 1.0);
    QVERIFY(std::abs((pa.y() - pb.y()) / (pb.y() - top.y()) - 0.35 / 0.05) < 0.2);
    QVERIFY(chart.chart(TradeoffChart::AgainstTime)->title().startsWith("Recall"));
  }

  void pointsWithoutAnErrorAreLeftOut() {
    TradeoffChart chart;
    chart.setParameter("k", 4096);
    chart.addPoint(point("linformer", "64", 1, 1000000, std::nullopt));
    QCOMPARE(chart.pointCount(), 1);
    renderWidgetImage(&chart, QSize(800, 400));
    QVERIFY(chart.chart(TradeoffChart::AgainstTime)->title().contains("no points with an error"));
  }
};

QTEST_MAIN(TestTradeoffChart)
#include "test_tradeoff_chart.moc"
