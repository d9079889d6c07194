// Scaling chart: time and memory against n on log-log axes, one line per
// series with its fitted exponent in the legend, O(n) and O(n^2) guides, and
// the memory guard's refused points drawn as hollow squares on the fitted line.
// Fills point by point (a sweep as it runs) or from a whole result.
#pragma once

#include <QColor>
#include <QPointF>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "experiment/sweep.hpp"
#include "scaling_plot.hpp"

class QChart;
class QChartView;
class QLabel;

namespace attnscope {

// Colour-blind-safe qualitative palette (Okabe-Ito), shared by the line charts.
QColor chartColor(int index);
// Colour of refused (skipped) points and of the guides.
QColor skippedColor();
QColor guideColor();

// Points and fits of a sweep in the plain form the chart draws.
ScalingPlotData scalingPlotData(const std::vector<SweepPoint>& points, const std::vector<SweepSeries>& series);

class ScalingChart : public QWidget {
  Q_OBJECT

 public:
  enum Panel { Time = 0, Memory = 1 };

  explicit ScalingChart(QWidget* parent = nullptr);

  void clear();
  // Adds one finished point (done, skipped or failed) and refits its series.
  void addPoint(const SweepPoint& point);
  void setResult(const SweepResult& result);
  void setData(const ScalingPlotData& data);
  const ScalingPlotData& data() const { return data_; }
  int pointCount() const;  // drawn points, skipped included

  QChart* chart(Panel panel) const;
  QChartView* chartView(Panel panel) const;
  // Widget position of (n, value) in a panel; value in ms (Time) or bytes (Memory).
  QPointF positionOf(Panel panel, double n, double value) const;
  // Where a skipped point of a series is drawn (value in ms or bytes); NaN when none.
  double skippedValue(Panel panel, int series, double n) const;
  // Legend entries of a panel, in order (series with exponents, guides, skipped).
  QStringList legendNames(Panel panel) const;
  // Text for the nearest point to a widget position (empty when none is close).
  QString describeAt(Panel panel, QPointF widgetPos) const;

  QSize sizeHint() const override { return {1200, 500}; }

 signals:
  void hovered(const QString& description);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void rebuild();
  void rebuildPanel(Panel panel);
  std::vector<SweepPoint> points_;
  ScalingPlotData data_;
  QLabel* title_;
  QChartView* views_[2] = {nullptr, nullptr};
};

}  // namespace attnscope
