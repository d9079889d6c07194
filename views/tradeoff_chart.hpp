// Trade-off chart: for one parameter swept at one n, one curve per variant of
// error against dense (or attention recall) plotted against time (left) and
// against memory (right),
// so a user sees what each step of the parameter buys and costs. Points are
// in the order of the parameter's values; hover names the value.
#pragma once

#include <QPointF>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <string>
#include <vector>

#include "experiment/sweep.hpp"

class QChart;
class QChartView;

namespace attnscope {

struct TradeoffPoint {
  std::string value;  // the parameter's value at this point
  double timeMs = 0;
  double memoryBytes = 0;
  std::optional<double> error;  // relative error of O against dense
  std::optional<double> recall;  // mean attention recall (head 0)
};

struct TradeoffCurve {
  std::string label;  // the variant
  std::vector<TradeoffPoint> points;
};

struct TradeoffData {
  std::string parameter;  // "window"
  int64_t n = 0;
  std::vector<TradeoffCurve> curves;
};

// One curve per variant over the done points of a sweep of `parameter`.
TradeoffData tradeoffData(const std::vector<SweepPoint>& points, const std::string& parameter);

class TradeoffChart : public QWidget {
  Q_OBJECT

 public:
  enum Panel { AgainstTime = 0, AgainstMemory = 1 };
  enum Metric { Error, Recall };
  // Errors below this are drawn on it (dense against itself is 0 on a log axis).
  static constexpr double kErrorFloor = 1e-7;

  explicit TradeoffChart(QWidget* parent = nullptr);

  void clear();
  void setParameter(const std::string& parameter, int64_t n);
  void addPoint(const SweepPoint& point);
  void setData(const TradeoffData& data);
  const TradeoffData& data() const { return data_; }
  void setMetric(Metric metric);
  Metric metric() const { return metric_; }
  int pointCount() const;

  QChart* chart(Panel panel) const;
  // Widget position of (time ms or memory bytes, error or recall) in a panel.
  QPointF positionOf(Panel panel, double x, double y) const;
  QStringList legendNames(Panel panel) const;

  QSize sizeHint() const override { return {1200, 500}; }

 signals:
  void hovered(const QString& description);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void rebuild();
  void rebuildPanel(Panel panel);
  std::vector<SweepPoint> points_;
  TradeoffData data_;
  Metric metric_ = Error;
  QChartView* views_[2] = {nullptr, nullptr};
};

}  // namespace attnscope
