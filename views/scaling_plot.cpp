#include "scaling_plot.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace attnscope {

namespace {

// Colour-blind-safe qualitative palette (Okabe-Ito).
const QColor kPalette[] = {QColor(0, 114, 178), QColor(213, 94, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                           QColor(230, 159, 0), QColor(86, 180, 233), QColor(0, 0, 0), QColor(240, 228, 66)};

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    if (v > 0 && std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  bool valid() const { return lo <= hi; }
};

// Log axis over whole decades around the data.
struct LogAxis {
  double lo = 1, hi = 10;  // log10 bounds
  explicit LogAxis(Range r) {
    if (!r.valid()) return;
    lo = std::floor(std::log10(r.lo));
    hi = std::ceil(std::log10(r.hi));
    if (hi <= lo) hi = lo + 1;
  }
  double fraction(double v) const { return (std::log10(v) - lo) / (hi - lo); }
};

QString tickLabel(double decade, bool bytes) {
  const double v = std::pow(10.0, decade);
  if (bytes) {
    if (v >= 1e9) return QString::number(v / 1e9, 'g', 3) + " GB";
    if (v >= 1e6) return QString::number(v / 1e6, 'g', 3) + " MB";
    if (v >= 1e3) return QString::number(v / 1e3, 'g', 3) + " kB";
    return QString::number(v, 'g', 3) + " B";
  }
  if (v >= 1e4 || v < 1e-2) return QString("1e%1").arg(static_cast<int>(decade));
  return QString::number(v, 'g', 4);
}

void drawPanel(QPainter& p, const QRect& area, const ScalingPlotData& data, bool memory) {
  const QRect plot = area.adjusted(78, 34, -16, -46);
  Range xr, yr;
  for (const ScalingSeries& s : data.series)
    for (size_t i = 0; i < s.n.size(); ++i) {
      xr.add(s.n[i]);
      yr.add(memory ? s.memoryBytes[i] : s.timeMs[i]);
    }
  const LogAxis xa(xr), ya(yr);
  auto at = [&](double x, double y) {
    return QPointF(plot.left() + xa.fraction(x) * plot.width(), plot.bottom() - ya.fraction(y) * plot.height());
  };

  p.setPen(QColor(40, 40, 40));
  QFont font = p.font();
  font.setBold(true);
  p.setFont(font);
  p.drawText(QRect(area.left(), area.top() + 6, area.width(), 22), Qt::AlignHCenter,
             memory ? "memory (Q, K, V, O + workspace peak)" : "time (median of repeats)");
  font.setBold(false);
  p.setFont(font);

  // Grid and ticks at every decade.
  p.setPen(QColor(225, 225, 225));
  for (double d = xa.lo; d <= xa.hi; d += 1) p.drawLine(at(std::pow(10.0, d), std::pow(10.0, ya.lo)), at(std::pow(10.0, d), std::pow(10.0, ya.hi)));
  for (double d = ya.lo; d <= ya.hi; d += 1) p.drawLine(at(std::pow(10.0, xa.lo), std::pow(10.0, d)), at(std::pow(10.0, xa.hi), std::pow(10.0, d)));
  p.setPen(QColor(60, 60, 60));
  p.drawRect(plot);
  for (double d = xa.lo; d <= xa.hi; d += 1) {
    const QPointF q = at(std::pow(10.0, d), std::pow(10.0, ya.lo));
    p.drawText(QRectF(q.x() - 40, q.y() + 4, 80, 18), Qt::AlignHCenter, tickLabel(d, false));
  }
  for (double d = ya.lo; d <= ya.hi; d += 1) {
    const QPointF q = at(std::pow(10.0, xa.lo), std::pow(10.0, d));
    p.drawText(QRectF(area.left(), q.y() - 9, 72, 18), Qt::AlignRight | Qt::AlignVCenter, tickLabel(d, memory));
  }
  p.drawText(QRect(plot.left(), plot.bottom() + 22, plot.width(), 20), Qt::AlignHCenter, "sequence length n");
  if (!memory) {
    p.save();
    p.translate(area.left() + 12, plot.center().y());
    p.rotate(-90);
    p.drawText(QRect(-60, -10, 120, 20), Qt::AlignCenter, "ms");
    p.restore();
  }
  if (!xr.valid() || !yr.valid()) {
    p.drawText(plot, Qt::AlignCenter, "no finished points");
    return;
  }

  p.setClipRect(plot);
  p.setRenderHint(QPainter::Antialiasing, true);
  // Guides through the geometric middle of the data: slope 1 and slope 2.
  const double x0 = std::sqrt(xr.lo * xr.hi), y0 = std::sqrt(yr.lo * yr.hi);
  for (int slope = 1; slope <= 2; ++slope) {
    p.setPen(QPen(QColor(150, 150, 150), 1.2, slope == 1 ? Qt::DashLine : Qt::DotLine));
    const double xl = std::pow(10.0, xa.lo), xh = std::pow(10.0, xa.hi);
    p.drawLine(at(xl, y0 * std::pow(xl / x0, slope)), at(xh, y0 * std::pow(xh / x0, slope)));
    const QPointF label = at(xr.hi, y0 * std::pow(xr.hi / x0, slope));
    p.drawText(label + QPointF(4, slope == 1 ? 14 : -4), slope == 1 ? "O(n)" : "O(n²)");
  }
  for (size_t k = 0; k < data.series.size(); ++k) {
    const ScalingSeries& s = data.series[k];
    const QColor c = kPalette[k % (sizeof kPalette / sizeof kPalette[0])];
    QPainterPath path;
    bool started = false;
    p.setPen(QPen(c, 2));
    p.setBrush(c);
    for (size_t i = 0; i < s.n.size(); ++i) {
      const double y = memory ? s.memoryBytes[i] : s.timeMs[i];
      if (!(y > 0) || !(s.n[i] > 0)) continue;
      const QPointF q = at(s.n[i], y);
      if (!started) path.moveTo(q);
      else path.lineTo(q);
      started = true;
      p.drawEllipse(q, 3.0, 3.0);
    }
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
  }
  p.setClipping(false);

  // Legend with the fitted exponent of this panel.
  int y = plot.top() + 8;
  for (size_t k = 0; k < data.series.size(); ++k) {
    const ScalingSeries& s = data.series[k];
    const double e = memory ? s.memoryExponent : s.timeExponent;
    const QString text = QString::fromStdString(s.label) + (std::isfinite(e) ? QString("  n^%1").arg(e, 0, 'f', 2) : QString("  (no fit)"));
    p.setPen(QPen(kPalette[k % (sizeof kPalette / sizeof kPalette[0])], 3));
    p.drawLine(plot.left() + 10, y + 7, plot.left() + 28, y + 7);
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRect(plot.left() + 34, y, plot.width() - 40, 16), Qt::AlignLeft | Qt::AlignVCenter, text);
    y += 17;
  }
}

}  // namespace

QImage renderScalingPlot(const ScalingPlotData& data, QSize size) {
  QImage image(size, QImage::Format_RGB32);
  image.fill(Qt::white);
  QPainter p(&image);
  QFont font = p.font();
  font.setPixelSize(12);
  p.setFont(font);
  const int titleHeight = data.title.empty() ? 0 : 24;
  if (titleHeight) p.drawText(QRect(0, 4, size.width(), 20), Qt::AlignHCenter, QString::fromStdString(data.title));
  const int half = size.width() / 2;
  drawPanel(p, QRect(0, titleHeight, half, size.height() - titleHeight), data, false);
  drawPanel(p, QRect(half, titleHeight, size.width() - half, size.height() - titleHeight), data, true);
  return image;
}

}  // namespace attnscope
