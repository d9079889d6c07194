#include "tradeoff_chart.hpp"

#include "chart_support.hpp"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QHBoxLayout>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "scaling_chart.hpp"

namespace attnscope {

namespace {

constexpr double kMB = 1e6;

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (v > 0 && std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  bool valid() const { return lo <= hi; }
};

double xOf(const TradeoffPoint& p, TradeoffChart::Panel panel) { return panel == TradeoffChart::AgainstTime ? p.timeMs : p.memoryBytes / kMB; }
std::optional<double> yOf(const TradeoffPoint& p, TradeoffChart::Metric m) {
  if (m == TradeoffChart::Recall) return p.recall;
  if (!p.error) return std::nullopt;
  return std::max(*p.error, TradeoffChart::kErrorFloor);
}

}  // namespace

TradeoffData tradeoffData(const std::vector<SweepPoint>& points, const std::string& parameter) {
  TradeoffData data;
  data.parameter = parameter;
  for (const SweepPoint& p : points) {
    if (p.status != PointStatus::Done) continue;
    data.n = p.n;
    auto curve = std::find_if(data.curves.begin(), data.curves.end(), [&](const TradeoffCurve& c) { return c.label == p.variant; });
    if (curve == data.curves.end()) {
      data.curves.push_back({p.variant, {}});
      curve = data.curves.end() - 1;
    }
    TradeoffPoint t;
    for (const auto& [name, value] : p.params)
      if (name == parameter) t.value = value;
    t.timeMs = p.time.medianMs;
    t.memoryBytes = static_cast<double>(p.memory.runBytes);
    t.error = p.errorVsDense;
    t.recall = p.recallMean;
    curve->points.push_back(std::move(t));
  }
  return data;
}

TradeoffChart::TradeoffChart(QWidget* parent) : QWidget(parent) {
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  for (QChartView*& view : views_) {
    view = new QChartView(new QChart, this);
    view->setRenderHint(QPainter::Antialiasing, true);
    view->setMinimumSize(280, 220);
    row->addWidget(view);
  }
  rebuild();
}

void TradeoffChart::clear() {
  points_.clear();
  data_.curves.clear();
  rebuild();
}

void TradeoffChart::setParameter(const std::string& parameter, int64_t n) {
  points_.clear();
  data_ = TradeoffData{parameter, n, {}};
  rebuild();
}

void TradeoffChart::addPoint(const SweepPoint& point) {
  points_.push_back(point);
  const int64_t n = data_.n;
  data_ = tradeoffData(points_, data_.parameter);
  if (data_.n == 0) data_.n = n;
  rebuild();
}

void TradeoffChart::setData(const TradeoffData& data) {
  points_.clear();
  data_ = data;
  rebuild();
}

void TradeoffChart::setMetric(Metric metric) {
  metric_ = metric;
  rebuild();
}

int TradeoffChart::pointCount() const {
  size_t count = 0;
  for (const TradeoffCurve& c : data_.curves) count += c.points.size();
  return static_cast<int>(count);
}

QChart* TradeoffChart::chart(Panel panel) const { return views_[panel]->chart(); }

void TradeoffChart::changeEvent(QEvent* event) {
  // A theme switch changes the palette: redraw with the matching chart theme.
  if (event->type() == QEvent::PaletteChange) rebuild();
  QWidget::changeEvent(event);
}

void TradeoffChart::rebuild() {
  rebuildPanel(AgainstTime);
  rebuildPanel(AgainstMemory);
}

void TradeoffChart::rebuildPanel(Panel panel) {
  QChart* c = replaceChart(views_[panel], this);
  const QString param = QString::fromStdString(data_.parameter.empty() ? std::string("parameter") : data_.parameter);
  const bool recall = metric_ == Recall;
  QString title = recall ? (panel == AgainstTime ? tr("Recall against time, %1 swept") : tr("Recall against memory, %1 swept")).arg(param)
                         : (panel == AgainstTime ? tr("Error against time, %1 swept") : tr("Error against memory, %1 swept")).arg(param);
  if (data_.n > 0) title += tr(" (n = %1)").arg(data_.n);
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setMargins(QMargins(4, 4, 4, 4));

  Range xr, yr;
  for (const TradeoffCurve& curve : data_.curves)
    for (const TradeoffPoint& p : curve.points) {
      const std::optional<double> y = yOf(p, metric_);
      if (!y) continue;
      xr.add(xOf(p, panel));
      yr.add(*y);
    }
  if (!xr.valid()) {
    title += " — " + (recall ? tr("no points with a recall yet") : tr("no points with an error yet"));
    xr.lo = panel == AgainstTime ? 0.1 : 0.1;
    xr.hi = panel == AgainstTime ? 100 : 1000;
  }
  c->setTitle(title);
  // Log x unless the points span under 3x (a log axis then shows one label or none).
  QAbstractAxis* ax = nullptr;
  const QString xTitle = panel == AgainstTime ? tr("time (ms, median)") : tr("run memory (MB)");
  if (xr.hi / xr.lo < 3) {
    auto* axis = new QValueAxis;
    const double pad = 0.15 * std::max(xr.hi - xr.lo, 0.1 * xr.hi);
    axis->setRange(std::max(0.0, xr.lo - pad), xr.hi + pad);
    axis->setLabelFormat("%.4g");
    axis->setTitleText(xTitle);
    ax = axis;
  } else {
    auto* axis = new QLogValueAxis;
    // Log axes label only powers of their base: under two decades, powers of 2 keep several labels.
    axis->setBase(xr.hi / xr.lo < 100 ? 2 : 10);
    axis->setLabelFormat("%.4g");
    axis->setMinorTickCount(xr.hi / xr.lo < 100 ? 0 : 8);
    axis->setTitleText(xTitle);
    axis->setRange(xr.lo / 1.5, xr.hi * 1.5);
    ax = axis;
  }
  QAbstractAxis* ay = nullptr;
  if (recall) {
    // Recall is a share in [0, 1]: linear, with 1 (all of dense's mass) at the top.
    auto* axis = new QValueAxis;
    const double lo = yr.valid() ? std::max(0.0, std::floor((yr.lo - 0.02) * 20) / 20) : 0.0;
    axis->setRange(lo, 1.0);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0.0);
    axis->setTickInterval(1.0 - lo > 0.5 ? 0.1 : 0.05);
    axis->setLabelFormat("%.2f");
    axis->setTitleText(tr("attention recall, mean over queries"));
    ay = axis;
  } else {
    if (!yr.valid()) yr.lo = 1e-3, yr.hi = 1;
    auto* axis = new QLogValueAxis;
    axis->setBase(yr.hi / yr.lo < 100 ? 2 : 10);
    axis->setLabelFormat("%.4g");
    axis->setMinorTickCount(yr.hi / yr.lo < 100 ? 0 : 8);
    axis->setTitleText(tr("relative error of O against dense"));
    axis->setRange(yr.lo / 2, yr.hi * 2);
    ay = axis;
  }
  c->addAxis(ax, Qt::AlignBottom);
  c->addAxis(ay, Qt::AlignLeft);

  for (size_t k = 0; k < data_.curves.size(); ++k) {
    const TradeoffCurve& curve = data_.curves[k];
    const QColor colour = chartColor(static_cast<int>(k));
    const QString label = QString::fromStdString(curve.label);
    auto* line = new QLineSeries;
    auto* marks = new QScatterSeries;
    QStringList values;
    std::vector<QString> tips;
    for (const TradeoffPoint& p : curve.points) {
      const std::optional<double> y = yOf(p, metric_);
      if (!y) continue;
      line->append(xOf(p, panel), *y);
      marks->append(xOf(p, panel), *y);
      values << QString::fromStdString(p.value);
      QString tip = tr("%1, %2 = %3: %4 ms, %5 MB").arg(label, param, QString::fromStdString(p.value)).arg(p.timeMs, 0, 'g', 4).arg(p.memoryBytes / kMB, 0, 'g', 4);
      if (p.error) tip += tr(", error %1").arg(*p.error, 0, 'g', 3);
      if (p.recall) tip += tr(", recall %1").arg(*p.recall, 0, 'f', 3);
      tips.push_back(tip);
    }
    QString range = values.isEmpty() ? QString() : values.size() == 1 ? values.front() : values.front() + "…" + values.back();
    line->setName(range.isEmpty() ? label : QString("%1 (%2 %3)").arg(label, param, range));
    line->setPen(QPen(colour, 2));
    marks->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    marks->setMarkerSize(9);
    marks->setColor(colour);
    marks->setBorderColor(colour);
    for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(line), static_cast<QAbstractSeries*>(marks)}) {
      c->addSeries(s);
      s->attachAxis(ax);
      s->attachAxis(ay);
    }
    marks->setProperty("legendHidden", true);
    for (QLegendMarker* m : c->legend()->markers(marks)) m->setVisible(false);
    connectPointTips(marks, tips, [this](const QString& text) { emit hovered(text); });
  }
}

QPointF TradeoffChart::positionOf(Panel panel, double x, double y) const {
  const double xv = panel == AgainstTime ? x : x / kMB;
  const double yv = metric_ == Recall ? y : std::max(y, kErrorFloor);
  return chartPointIn(chart(panel), views_[panel], this, QPointF(xv, yv));
}

QStringList TradeoffChart::legendNames(Panel panel) const { return visibleSeriesNames(chart(panel)); }

}  // namespace attnscope
