#include "heatmap_view.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace attnscope {

std::pair<int64_t, int64_t> HeatmapData::rowTokens(int64_t r) const {
  const int64_t h = i1 - i0;
  return {i0 + (r * h + rows - 1) / rows, i0 + ((r + 1) * h + rows - 1) / rows};
}

std::pair<int64_t, int64_t> HeatmapData::colTokens(int64_t c) const {
  const int64_t w = j1 - j0;
  return {j0 + (c * w + cols - 1) / cols, j0 + ((c + 1) * w + cols - 1) / cols};
}

QImage renderHeatmapImage(const HeatmapData& d) {
  if (d.rows <= 0 || d.cols <= 0) return {};
  QImage image(static_cast<int>(d.cols), static_cast<int>(d.rows), QImage::Format_RGB32);
  // Shade by magnitude: some effective maps (Linformer with Gaussian
  // projections) have negative entries, which the title then says.
  float maxValue = 0;
  for (float v : d.values) maxValue = std::max(maxValue, std::abs(v));
  const double logMin = std::log(std::max(1e-30, maxValue * d.logFloor));
  const double logMax = std::log(std::max(1e-30, static_cast<double>(maxValue)));
  for (int64_t r = 0; r < d.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(r)));
    for (int64_t c = 0; c < d.cols; ++c) {
      const double v = std::abs(d.at(r, c));
      double t = 0;
      if (maxValue > 0 && v > 0) {
        switch (d.scale) {
          case ColorScale::Linear: t = v / maxValue; break;
          case ColorScale::Sqrt: t = std::sqrt(v / maxValue); break;
          case ColorScale::Log: t = logMax > logMin ? (std::log(v) - logMin) / (logMax - logMin) : 1.0; break;
        }
      }
      const Rgb rgb = colormapLookup(d.colormap, t);
      line[c] = qRgb(rgb.r, rgb.g, rgb.b);
    }
  }
  return image;
}

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void HeatmapView::setData(HeatmapData data) {
  data_ = std::move(data);
  rebuildImage();
  update();
}

void HeatmapView::rebuildImage() { image_ = renderHeatmapImage(data_); }

QRect HeatmapView::plotRect() const {
  const int marginLeft = 48, marginTop = 28, marginRight = 12, marginBottom = 28;
  const int side = std::max(10, std::min(width() - marginLeft - marginRight, height() - marginTop - marginBottom));
  const int x = marginLeft + std::max(0, (width() - marginLeft - marginRight - side) / 2);
  return QRect(x, marginTop, side, side);
}

QPoint HeatmapView::cellAt(const QPoint& pos) const {
  const QRect plot = plotRect();
  if (!hasData() || !plot.contains(pos)) return {-1, -1};
  const int64_t c = static_cast<int64_t>(pos.x() - plot.left()) * data_.cols / plot.width();
  const int64_t r = static_cast<int64_t>(pos.y() - plot.top()) * data_.rows / plot.height();
  return QPoint(static_cast<int>(std::min(c, data_.cols - 1)), static_cast<int>(std::min(r, data_.rows - 1)));
}

namespace {
QString tokenText(const HeatmapData& d, int64_t index) {
  if (!d.labels || index < 0 || index >= static_cast<int64_t>(d.labels->size())) return {};
  QString t = QString::fromStdString((*d.labels)[static_cast<size_t>(index)]);
  if (t.size() > 24) t = t.left(23) + QChar(0x2026);
  return t;
}
}  // namespace

QString HeatmapView::describeAt(const QPoint& pos) const {
  const QPoint cell = cellAt(pos);
  if (cell.x() < 0) return {};
  const auto [r0, r1] = data_.rowTokens(cell.y());
  const auto [c0, c1] = data_.colTokens(cell.x());
  const float value = data_.at(cell.y(), cell.x());
  if (r1 - r0 == 1 && c1 - c0 == 1) {
    const QString ti = tokenText(data_, r0), tj = tokenText(data_, c0);
    return QString("i = %1%2\nj = %3%4\n%5 = %6")
        .arg(r0)
        .arg(ti.isEmpty() ? QString() : QString("  \u201c%1\u201d").arg(ti))
        .arg(c0)
        .arg(tj.isEmpty() ? QString() : QString("  \u201c%1\u201d").arg(tj))
        .arg(QString::fromStdString(data_.valueName))
        .arg(static_cast<double>(value), 0, 'g', 4);
  }
  QString text = QString("i = %1..%2, j = %3..%4\nmean %5 = %6").arg(r0).arg(r1 - 1).arg(c0).arg(c1 - 1).arg(QString::fromStdString(data_.valueName)).arg(static_cast<double>(value), 0, 'g', 4);
  if (!data_.maxValues.empty())
    text += QString("\nmax = %1").arg(static_cast<double>(data_.maxValues[static_cast<size_t>(cell.y() * data_.cols + cell.x())]), 0, 'g', 4);
  return text;
}

void HeatmapView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRect plot = plotRect();
  if (!hasData()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter, tr("No map yet"));
    return;
  }
  // Nearest-neighbour scaling keeps single-token cells crisp.
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.drawImage(plot, image_);
  p.setPen(palette().color(QPalette::WindowText));
  p.drawRect(plot.adjusted(0, 0, -1, -1));
  p.drawText(QRect(plot.left(), 4, plot.width(), 20), Qt::AlignCenter, QString::fromStdString(data_.title));
  // Axis ends: first and last token index of each axis.
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1));
  p.setFont(small);
  p.drawText(QRect(plot.left(), plot.bottom() + 4, 80, 18), Qt::AlignLeft, QString("j = %1").arg(data_.j0));
  p.drawText(QRect(plot.right() - 80, plot.bottom() + 4, 80, 18), Qt::AlignRight, QString::number(data_.j1 - 1));
  p.drawText(QRect(0, plot.top(), plot.left() - 4, 18), Qt::AlignRight, QString("i = %1").arg(data_.i0));
  p.drawText(QRect(0, plot.bottom() - 18, plot.left() - 4, 18), Qt::AlignRight, QString::number(data_.i1 - 1));
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
  const QString text = describeAt(event->position().toPoint());
  if (text.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(event->globalPosition().toPoint(), text, this);
  emit hovered(text);
}

void HeatmapView::leaveEvent(QEvent*) {
  QToolTip::hideText();
  emit hovered(QString());
}

}  // namespace attnscope
