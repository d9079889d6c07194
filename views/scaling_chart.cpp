#include "scaling_chart.hpp"

#include "chart_support.hpp"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

constexpr double kMB = 1e6;  // memory axis unit

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

double valueOf(const ScalingSeries& s, ScalingChart::Panel panel, size_t i) {
  return panel == ScalingChart::Time ? s.timeMs[i] : s.memoryBytes[i] / kMB;
}

// Markers are part of their line's entry; an empty refused series has none.
void hideFromLegend(QChart* c, QAbstractSeries* s) {
  s->setProperty("legendHidden", true);
  for (QLegendMarker* m : c->legend()->markers(s)) m->setVisible(false);
}

QString exponentText(double e) { return std::isfinite(e) ? QString("n^%1").arg(e, 0, 'f', 2) : ScalingChart::tr("no fit"); }

}  // namespace

QColor chartColor(int index) {
  static const QColor palette[] = {QColor(0, 114, 178), QColor(213, 94, 0),  QColor(0, 158, 115),  QColor(204, 121, 167),
                                   QColor(230, 159, 0), QColor(86, 180, 233), QColor(60, 60, 60), QColor(160, 140, 20)};
  return palette[static_cast<size_t>(index) % (sizeof palette / sizeof palette[0])];
}
QColor skippedColor() { return QColor(200, 0, 40); }
QColor guideColor() { return QColor(140, 140, 140); }

ScalingPlotData scalingPlotData(const std::vector<SweepPoint>& points, const std::vector<SweepSeries>& series) {
  ScalingPlotData data;
  for (const SweepSeries& s : series) {
    ScalingSeries line;
    line.label = s.key;
    if (s.time.valid()) {
      line.timeExponent = s.time.exponent;
      line.timeIntercept = s.time.intercept;
    }
    if (s.memory.valid()) {
      line.memoryExponent = s.memory.exponent;
      line.memoryIntercept = s.memory.intercept;
    }
    for (const SweepPoint& p : points) {
      if (p.seriesKey() != s.key) continue;
      if (p.status == PointStatus::Done) {
        line.n.push_back(static_cast<double>(p.n));
        line.timeMs.push_back(p.time.medianMs);
        line.memoryBytes.push_back(static_cast<double>(p.memory.runBytes));
      } else if (p.status == PointStatus::Skipped) {
        line.skippedN.push_back(static_cast<double>(p.n));
        line.skippedWhy.push_back(p.message);
      }
    }
    data.series.push_back(std::move(line));
  }
  return data;
}

ScalingChart::ScalingChart(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  title_ = new QLabel(this);
  title_->setAlignment(Qt::AlignHCenter);
  title_->setWordWrap(true);
  title_->hide();
  outer->addWidget(title_);
  auto* row = new QHBoxLayout;
  for (QChartView*& view : views_) {
    view = new QChartView(new QChart, this);
    view->setRenderHint(QPainter::Antialiasing, true);
    view->setMinimumSize(280, 220);
    row->addWidget(view);
  }
  outer->addLayout(row, 1);
  rebuild();
}

void ScalingChart::clear() {
  points_.clear();
  data_.series.clear();
  rebuild();
}

void ScalingChart::addPoint(const SweepPoint& point) {
  points_.push_back(point);
  const std::string title = data_.title;
  data_ = scalingPlotData(points_, summarizeSweep(points_));
  data_.title = title;
  rebuild();
}

void ScalingChart::setResult(const SweepResult& result) {
  points_ = result.points;
  const std::string title = data_.title;
  data_ = scalingPlotData(result.points, result.series);
  data_.title = title;
  rebuild();
}

void ScalingChart::setData(const ScalingPlotData& data) {
  points_.clear();
  data_ = data;
  rebuild();
}

int ScalingChart::pointCount() const {
  size_t count = 0;
  for (const ScalingSeries& s : data_.series) count += s.n.size() + s.skippedN.size();
  return static_cast<int>(count);
}

QChart* ScalingChart::chart(Panel panel) const { return views_[panel]->chart(); }
QChartView* ScalingChart::chartView(Panel panel) const { return views_[panel]; }

double ScalingChart::skippedValue(Panel panel, int series, double n) const {
  if (series < 0 || series >= static_cast<int>(data_.series.size())) return std::nan("");
  const ScalingSeries& s = data_.series[static_cast<size_t>(series)];
  const double e = panel == Time ? s.timeExponent : s.memoryExponent;
  const double c = panel == Time ? s.timeIntercept : s.memoryIntercept;
  if (!std::isfinite(e) || !std::isfinite(c) || !(n > 0)) return std::nan("");
  return std::exp(c + e * std::log(n));  // ms or bytes, on the fitted line
}

void ScalingChart::changeEvent(QEvent* event) {
  // A theme switch changes the palette: redraw with the matching chart theme.
  if (event->type() == QEvent::PaletteChange) rebuild();
  QWidget::changeEvent(event);
}

void ScalingChart::rebuild() {
  title_->setText(QString::fromStdString(data_.title));
  title_->setVisible(!data_.title.empty());
  rebuildPanel(Time);
  rebuildPanel(Memory);
}

void ScalingChart::rebuildPanel(Panel panel) {
  QChart* c = replaceChart(views_[panel], this);
  c->setTitle(panel == Time ? tr("Time (median of repeats)") : tr("Memory (Q, K, V, O + workspace peak)"));
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setMargins(QMargins(4, 4, 4, 4));

  // Axis ranges over finished and refused points.
  Range xr, yr;
  for (size_t k = 0; k < data_.series.size(); ++k) {
    const ScalingSeries& s = data_.series[k];
    for (size_t i = 0; i < s.n.size(); ++i) {
      xr.add(s.n[i]);
      yr.add(valueOf(s, panel, i));
    }
  }
  const Range measured = yr, measuredN = xr;  // the guides go through the middle of these
  for (size_t k = 0; k < data_.series.size(); ++k)
    for (double n : data_.series[k].skippedN) {
      xr.add(n);
      const double v = skippedValue(panel, static_cast<int>(k), n);
      yr.add(panel == Time ? v : v / kMB);
    }
  const bool empty = !xr.valid();
  if (!xr.valid()) xr.lo = 512, xr.hi = 16384;
  if (!yr.valid()) {
    yr.lo = 0.1;
    yr.hi = panel == Time ? 100 : 1000;
  }
  auto* ax = new QLogValueAxis;
  ax->setBase(2);
  ax->setLabelFormat("%.0f");
  ax->setTitleText(tr("sequence length n"));
  ax->setRange(xr.lo / 1.3, xr.hi * 1.3);
  auto* ay = new QLogValueAxis;
  // Log axes label only powers of their base: under two decades, powers of 2 keep several labels.
  const bool narrow = yr.hi / yr.lo < 100;
  ay->setBase(narrow ? 2 : 10);
  ay->setLabelFormat("%.4g");
  ay->setMinorTickCount(narrow ? 0 : 8);
  ay->setTitleText(panel == Time ? tr("ms") : tr("MB"));
  const double ylo = yr.lo / 2, yhi = yr.hi * 2;
  ay->setRange(ylo, yhi);
  c->addAxis(ax, Qt::AlignBottom);
  c->addAxis(ay, Qt::AlignLeft);
  if (empty) c->setTitle(c->title() + " — " + tr("no finished points yet"));

  auto attach = [&](QAbstractSeries* s) {
    c->addSeries(s);
    s->attachAxis(ax);
    s->attachAxis(ay);
  };

  // Guides through the geometric middle of the measured points: slope 1 and slope 2.
  if (measured.valid()) {
    const double x0 = std::sqrt(measuredN.lo * measuredN.hi), y0 = std::sqrt(measured.lo * measured.hi);
    for (int slope = 1; slope <= 2; ++slope) {
      auto* guide = new QLineSeries;
      guide->setName(slope == 1 ? tr("O(n) guide") : tr("O(n²) guide"));
      guide->setPen(QPen(guideColor(), 1.5, slope == 1 ? Qt::DashLine : Qt::DotLine));
      const double a = std::log(xr.lo / 1.3), b = std::log(xr.hi * 1.3);
      for (int i = 0; i <= 8; ++i) {
        const double x = std::exp(a + (b - a) * i / 8);
        guide->append(x, y0 * std::pow(x / x0, slope));
      }
      attach(guide);
    }
  }

  auto* skipped = new QScatterSeries;
  skipped->setName(tr("skipped (hover for why)"));
  skipped->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  skipped->setMarkerSize(12);
  skipped->setPen(QPen(skippedColor(), 2));
  skipped->setBrush(Qt::NoBrush);
  std::vector<QString> skippedText;

  for (size_t k = 0; k < data_.series.size(); ++k) {
    const ScalingSeries& s = data_.series[k];
    const QColor colour = chartColor(static_cast<int>(k));
    const QString label = QString::fromStdString(s.label);
    auto* line = new QLineSeries;
    line->setName(QString("%1  (%2)").arg(label, exponentText(panel == Time ? s.timeExponent : s.memoryExponent)));
    line->setPen(QPen(colour, 2));
    auto* marks = new QScatterSeries;
    marks->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    marks->setMarkerSize(9);
    marks->setColor(colour);
    marks->setBorderColor(colour);
    for (size_t i = 0; i < s.n.size(); ++i) {
      const double v = valueOf(s, panel, i);
      if (!(v > 0) || !(s.n[i] > 0)) continue;
      line->append(s.n[i], v);
      marks->append(s.n[i], v);
    }
    attach(line);
    attach(marks);
    hideFromLegend(c, marks);
    connect(marks, &QScatterSeries::hovered, this, [this, label, panel](const QPointF& p, bool on) {
      if (!on) return;
      const QString value = panel == Time ? tr("%1 ms").arg(p.y(), 0, 'g', 4) : tr("%1 MB").arg(p.y(), 0, 'g', 4);
      const QString text = tr("%1: n = %2, %3").arg(label).arg(p.x(), 0, 'f', 0).arg(value);
      QToolTip::showText(QCursor::pos(), text);
      emit hovered(text);
    });
    for (size_t i = 0; i < s.skippedN.size(); ++i) {
      double v = skippedValue(panel, static_cast<int>(k), s.skippedN[i]);
      v = std::isfinite(v) ? (panel == Time ? v : v / kMB) : ylo * 1.2;  // no fit: on the floor of the axis
      skipped->append(s.skippedN[i], v);
      skippedText.push_back(tr("%1: n = %2, %3").arg(label).arg(s.skippedN[i], 0, 'f', 0).arg(QString::fromStdString(s.skippedWhy[i])));
    }
  }
  attach(skipped);
  if (skipped->count() == 0) hideFromLegend(c, skipped);
  connectPointTips(skipped, skippedText, [this](const QString& text) { emit hovered(text); });
}

QPointF ScalingChart::positionOf(Panel panel, double n, double value) const {
  const double v = panel == Time ? value : value / kMB;
  return chartPointIn(chart(panel), views_[panel], this, QPointF(n, v));
}

QStringList ScalingChart::legendNames(Panel panel) const { return visibleSeriesNames(chart(panel)); }

QString ScalingChart::describeAt(Panel panel, QPointF widgetPos) const {
  QString best;
  double bestDistance = 12;  // pixels
  for (size_t k = 0; k < data_.series.size(); ++k) {
    const ScalingSeries& s = data_.series[k];
    for (size_t i = 0; i < s.n.size(); ++i) {
      const double raw = panel == Time ? s.timeMs[i] : s.memoryBytes[i];
      const QPointF q = positionOf(panel, s.n[i], raw);
      const double d = std::hypot(q.x() - widgetPos.x(), q.y() - widgetPos.y());
      if (d < bestDistance) {
        bestDistance = d;
        const QString value = panel == Time ? tr("%1 ms").arg(raw, 0, 'g', 4) : tr("%1 MB").arg(raw / kMB, 0, 'g', 4);
        best = tr("%1: n = %2, %3").arg(QString::fromStdString(s.label)).arg(s.n[i], 0, 'f', 0).arg(value);
      }
    }
  }
  return best;
}

}  // namespace attnscope
