#include "heatmap_view.hpp"

#include <QEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

std::pair<int64_t, int64_t> HeatmapData::rowTokens(int64_t r) const {
  const int64_t h = i1 - i0;
  return {i0 + (r * h + rows - 1) / rows, i0 + ((r + 1) * h + rows - 1) / rows};
}

std::pair<int64_t, int64_t> HeatmapData::colTokens(int64_t c) const {
  const int64_t w = j1 - j0;
  return {j0 + (c * w + cols - 1) / cols, j0 + ((c + 1) * w + cols - 1) / cols};
}

namespace {

// Largest |value| of a row: the row-normalised scale divides by it.
float rowMax(const HeatmapData& d, int64_t r) {
  float m = 0;
  for (int64_t c = 0; c < d.cols; ++c) m = std::max(m, std::abs(d.at(r, c)));
  return m;
}

TokenRegion regionOf(const HeatmapData& d) { return {d.i0, d.i1, d.j0, d.j1}; }

// Cell of a grid holding token offset t along an axis of `tokens` tokens and `cells` cells (inverse of rowTokens).
int64_t cellOf(int64_t t, int64_t tokens, int64_t cells) { return std::min(cells - 1, t * cells / std::max<int64_t>(1, tokens)); }

}  // namespace

ShadeRange heatmapShadeRange(const HeatmapData& d) {
  double hi = d.scaleMax;
  if (d.rowNormalised) hi = 1.0;
  if (hi <= 0) {
    // Shade by magnitude: some effective maps (Linformer with Gaussian
    // projections) have negative entries, which the title then says.
    for (float v : d.values)
      if (std::isfinite(v)) hi = std::max(hi, static_cast<double>(std::abs(v)));
  }
  ShadeRange range;
  range.hi = hi;
  range.lo = d.scale == ColorScale::Log ? hi * d.logFloor : 0.0;
  return range;
}

QImage renderHeatmapImage(const HeatmapData& d) {
  if (d.rows <= 0 || d.cols <= 0) return {};
  QImage image(static_cast<int>(d.cols), static_cast<int>(d.rows), QImage::Format_RGB32);
  const ShadeRange range = heatmapShadeRange(d);
  for (int64_t r = 0; r < d.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(r)));
    const float norm = d.rowNormalised ? rowMax(d, r) : 1.0f;
    for (int64_t c = 0; c < d.cols; ++c) {
      const double v = norm > 0 ? d.at(r, c) / norm : 0.0;
      const Rgb rgb = colormapLookup(d.colormap, shadeFraction(d.scale, range, v));
      line[c] = qRgb(rgb.r, rgb.g, rgb.b);
    }
  }
  return image;
}

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent), requestTimer_(new QTimer(this)) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setFocusPolicy(Qt::WheelFocus);
  QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
  // Wheel and drag move the view at once; the app recomputes once the user pauses.
  requestTimer_->setSingleShot(true);
  requestTimer_->setInterval(150);
  connect(requestTimer_, &QTimer::timeout, this, &HeatmapView::emitRegionRequest);
}

void HeatmapView::setData(HeatmapData data) {
  const TokenRegion incoming = regionOf(data);
  if (std::find(requested_.begin(), requested_.end(), incoming) != requested_.end() && !incoming.contains(view_) && hasData() &&
      regionOf(data_).contains(view_)) {
    // A late answer for a region the view has left: what is shown covers the view better.
    scheduleRegionRequest();
    return;
  }
  data_ = std::move(data);
  if (shadingChosen_) {
    // A scale the user picked outlives new data (a recomputed region, a new run).
    data_.scale = chosenScale_;
    data_.rowNormalised = chosenRowNormalised_;
  }
  const TokenRegion region = regionOf(data_);
  if (!region.empty()) {
    const bool zoomed = !(view_ == extent_);
    const bool answer = std::find(requested_.begin(), requested_.end(), region) != requested_.end();
    if (answer && extent_.contains(region)) {
      // The answer to a request, maybe an older one: keep the zoom, and ask
      // for the view when the answer is for somewhere it has left.
      if (!(region == view_)) scheduleRegionRequest();
    } else if (zoomed && extent_.contains(region) && region.contains(view_)) {
      // New data over the whole map while zoomed in (a new run): keep the
      // zoom and ask for what is shown.
      requested_.clear();
      lastRequested_ = {};
      scheduleRegionRequest();
    } else {
      extent_ = region;
      view_ = region;
      requested_.clear();
      lastRequested_ = {};
    }
  }
  rebuildImage();
  update();
}

void HeatmapView::setColorScale(ColorScale scale) {
  shadingChosen_ = true;
  chosenScale_ = data_.scale = scale;
  chosenRowNormalised_ = data_.rowNormalised;
  rebuildImage();
  update();
}

void HeatmapView::setRowNormalised(bool on) {
  shadingChosen_ = true;
  chosenRowNormalised_ = data_.rowNormalised = on;
  chosenScale_ = data_.scale;
  rebuildImage();
  update();
}

ShadeRange HeatmapView::shadeRange() const { return heatmapShadeRange(data_); }

void HeatmapView::rebuildImage() { image_ = renderHeatmapImage(data_); }

void HeatmapView::setMask(HeatmapData mask) {
  mask_ = std::move(mask);
  rebuildMaskImage();
  update();
}

void HeatmapView::setMaskVisible(bool visible) {
  maskVisible_ = visible;
  update();
}

void HeatmapView::rebuildMaskImage() {
  maskImage_ = {};
  if (!hasMask()) return;
  // Pairs not computed are veiled; a pooled cell is veiled by the share it skips.
  maskImage_ = QImage(static_cast<int>(mask_.cols), static_cast<int>(mask_.rows), QImage::Format_ARGB32);
  for (int64_t r = 0; r < mask_.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(maskImage_.scanLine(static_cast<int>(r)));
    for (int64_t c = 0; c < mask_.cols; ++c) {
      const double computed = std::clamp(static_cast<double>(mask_.at(r, c)), 0.0, 1.0);
      line[c] = qRgba(235, 235, 235, static_cast<int>(std::lround((1.0 - computed) * 170)));
    }
  }
}

void HeatmapView::setTokenExtent(int64_t rows, int64_t cols) {
  extent_ = {0, std::max<int64_t>(1, rows), 0, std::max<int64_t>(1, cols)};
  if (view_.empty() || !extent_.contains(view_)) view_ = extent_;
  update();
}

void HeatmapView::setViewRegion(const TokenRegion& wanted) {
  if (extent_.empty()) return;
  auto clampAxis = [](int64_t a, int64_t b, int64_t lo, int64_t hi) {
    int64_t span = std::clamp<int64_t>(b - a, std::min(minimumSpan, hi - lo), hi - lo);
    a = std::clamp<int64_t>(a, lo, hi - span);
    return std::pair{a, a + span};
  };
  TokenRegion r;
  std::tie(r.i0, r.i1) = clampAxis(wanted.i0, wanted.i1, extent_.i0, extent_.i1);
  std::tie(r.j0, r.j1) = clampAxis(wanted.j0, wanted.j1, extent_.j0, extent_.j1);
  if (r == view_) return;
  view_ = r;
  emit viewRegionChanged(r.i0, r.i1, r.j0, r.j1);
  scheduleRegionRequest();
  update();
}

void HeatmapView::scheduleRegionRequest() { requestTimer_->start(); }

void HeatmapView::emitRegionRequest() {
  // Nothing to ask when the data already holds the view one pixel per token.
  if (hasData() && data_.exact() && regionOf(data_).contains(view_)) return;
  if (view_ == regionOf(data_) || view_ == lastRequested_) return;
  lastRequested_ = view_;
  requested_.push_back(view_);
  if (requested_.size() > 16) requested_.erase(requested_.begin());
  emit regionRequested(view_.i0, view_.i1, view_.j0, view_.j1);
}

void HeatmapView::zoomAt(const QPointF& pos, double factor) {
  if (view_.empty()) return;
  const QRect plot = plotRect();
  const double fx = std::clamp((pos.x() - plot.left()) / std::max(1, plot.width()), 0.0, 1.0);
  const double fy = std::clamp((pos.y() - plot.top()) / std::max(1, plot.height()), 0.0, 1.0);
  auto axis = [&](int64_t a, int64_t b, double f) {
    const double anchor = a + f * (b - a);
    const double span = std::max<double>(static_cast<double>(minimumSpan), (b - a) * factor);
    const int64_t na = static_cast<int64_t>(std::llround(anchor - f * span));
    return std::pair{na, na + static_cast<int64_t>(std::llround(span))};
  };
  TokenRegion r;
  std::tie(r.i0, r.i1) = axis(view_.i0, view_.i1, fy);
  std::tie(r.j0, r.j1) = axis(view_.j0, view_.j1, fx);
  setViewRegion(r);
}

void HeatmapView::resetZoom() { setViewRegion(extent_); }

std::pair<int64_t, int64_t> HeatmapView::tokenAt(const QPoint& pos) const {
  const QRect plot = plotRect();
  if (view_.empty() || !plot.contains(pos)) return {-1, -1};
  const int64_t i = view_.i0 + static_cast<int64_t>(pos.y() - plot.top()) * (view_.i1 - view_.i0) / plot.height();
  const int64_t j = view_.j0 + static_cast<int64_t>(pos.x() - plot.left()) * (view_.j1 - view_.j0) / plot.width();
  return {std::min(i, view_.i1 - 1), std::min(j, view_.j1 - 1)};
}

QPointF HeatmapView::tokenCenter(int64_t i, int64_t j) const {
  const QRect plot = plotRect();
  if (view_.empty()) return {-1, -1};
  return {plot.left() + (j - view_.j0 + 0.5) * plot.width() / static_cast<double>(view_.j1 - view_.j0),
          plot.top() + (i - view_.i0 + 0.5) * plot.height() / static_cast<double>(view_.i1 - view_.i0)};
}

float HeatmapView::weightAt(int64_t i, int64_t j) const {
  if (!hasData() || i < data_.i0 || i >= data_.i1 || j < data_.j0 || j >= data_.j1) return std::numeric_limits<float>::quiet_NaN();
  return data_.at(cellOf(i - data_.i0, data_.i1 - data_.i0, data_.rows), cellOf(j - data_.j0, data_.j1 - data_.j0, data_.cols));
}

void HeatmapView::setCrosshair(int64_t i, int64_t j) {
  if (crosshair_ == std::pair{i, j}) return;
  crosshair_ = {i, j};
  update();
}

void HeatmapView::clearCrosshair() {
  if (!hasCrosshair()) return;
  crosshair_ = {-1, -1};
  update();
}

QPoint HeatmapView::crosshairPoint() const {
  const auto [i, j] = crosshair_;
  if (i < view_.i0 || i >= view_.i1 || j < view_.j0 || j >= view_.j1) return {-1, -1};
  const QPointF c = tokenCenter(i, j);
  return {static_cast<int>(std::floor(c.x())), static_cast<int>(std::floor(c.y()))};
}

QStringList HeatmapView::titleLines(int width) const {
  const QString title = QString::fromStdString(data_.title);
  if (title.isEmpty() || width <= 0) return {};
  const QFontMetrics fm = fontMetrics();
  if (fm.horizontalAdvance(title) <= width) return {title};
  // Wrap at spaces into two lines; the second is elided when it still does not fit.
  const QStringList words = title.split(QLatin1Char(' '));
  QString first;
  int k = 0;
  for (; k < words.size(); ++k) {
    const QString next = first.isEmpty() ? words[k] : first + QLatin1Char(' ') + words[k];
    if (fm.horizontalAdvance(next) > width && !first.isEmpty()) break;
    first = next;
  }
  first = fm.elidedText(first, Qt::ElideRight, width);
  const QString rest = words.mid(k).join(QLatin1Char(' '));
  if (rest.isEmpty()) return {first};
  return {first, fm.elidedText(rest, Qt::ElideRight, width)};
}

int HeatmapView::titleHeight() const {
  const int lines = std::max<qsizetype>(1, titleLines(width() - 16).size());
  return 6 + static_cast<int>(lines) * fontMetrics().height();
}

QString HeatmapView::shownTitle() const { return titleLines(width() - 16).join(QLatin1Char('\n')); }

QRect HeatmapView::titleRect() const { return QRect(8, 4, std::max(0, width() - 16), titleHeight() - 4); }

namespace {
constexpr int kMarginLeft = 56, kMarginBottom = 28;
}  // namespace

int HeatmapView::heightForWidth(int w) const {
  const int lines = std::max<qsizetype>(1, titleLines(w - 16).size());
  const int top = 6 + static_cast<int>(lines) * fontMetrics().height() + 4;
  const int side = std::max(10, w - kMarginLeft - colorBarWidth(fontMetrics()) - 16);
  return top + side + kMarginBottom;
}

QSize HeatmapView::sizeHint() const { return {640, heightForWidth(640)}; }

QRect HeatmapView::plotRect() const {
  const int marginLeft = kMarginLeft, marginRight = colorBarWidth(fontMetrics()) + 16, marginBottom = kMarginBottom;
  const int marginTop = titleHeight() + 4;
  const int side = std::max(10, std::min(width() - marginLeft - marginRight, height() - marginTop - marginBottom));
  const int x = marginLeft + std::max(0, (width() - marginLeft - marginRight - side) / 2);
  return QRect(x, marginTop, side, side);
}

QRect HeatmapView::colorBarRect() const {
  const QRect plot = plotRect();
  return QRect(plot.right() + 12, plot.top(), colorBarWidth(fontMetrics()), plot.height());
}

QPoint HeatmapView::cellAt(const QPoint& pos) const {
  const auto [i, j] = tokenAt(pos);
  if (!hasData() || i < data_.i0 || i >= data_.i1 || j < data_.j0 || j >= data_.j1) return {-1, -1};
  return QPoint(static_cast<int>(cellOf(j - data_.j0, data_.j1 - data_.j0, data_.cols)),
                static_cast<int>(cellOf(i - data_.i0, data_.i1 - data_.i0, data_.rows)));
}

namespace {
QString tokenText(const HeatmapData& d, int64_t index) {
  if (!d.labels || index < 0 || index >= static_cast<int64_t>(d.labels->size())) return {};
  QString t = QString::fromStdString((*d.labels)[static_cast<size_t>(index)]);
  if (t.size() > 24) t = t.left(23) + QChar(0x2026);
  return QStringLiteral("  \u201c%1\u201d").arg(t);
}
}  // namespace

QString HeatmapView::describeAt(const QPoint& pos) const {
  const QPoint cell = cellAt(pos);
  if (cell.x() < 0) return {};
  const auto [r0, r1] = data_.rowTokens(cell.y());
  const auto [c0, c1] = data_.colTokens(cell.x());
  const double value = data_.at(cell.y(), cell.x());
  const QString rowName = QString::fromStdString(data_.rowName), colName = QString::fromStdString(data_.colName);
  const QString valueName = QString::fromStdString(data_.valueName);
  if (r1 - r0 == 1 && c1 - c0 == 1)
    return tr("%1 = %2%3\n%4 = %5%6\n%7 = %8")
        .arg(rowName).arg(r0).arg(tokenText(data_, r0))
        .arg(colName).arg(c0).arg(tokenText(data_, c0))
        .arg(valueName).arg(value, 0, 'g', 4);
  QString text = tr("%1 = %2..%3, %4 = %5..%6\nmean %7 = %8")
                     .arg(rowName).arg(r0).arg(r1 - 1)
                     .arg(colName).arg(c0).arg(c1 - 1)
                     .arg(valueName).arg(value, 0, 'g', 4);
  if (!data_.maxValues.empty())
    text += QLatin1Char('\n') + tr("max = %1").arg(static_cast<double>(data_.maxValues[static_cast<size_t>(cell.y() * data_.cols + cell.x())]), 0, 'g', 4);
  return text;
}

void HeatmapView::drawGrid(QPainter& p, const QImage& image, const HeatmapData& g) const {
  // Only the cells inside the view are drawn: at deep zoom a whole image
  // stretched to the plot would be millions of pixels wide.
  const QRect plot = plotRect();
  const int64_t vi0 = std::max(view_.i0, g.i0), vi1 = std::min(view_.i1, g.i1);
  const int64_t vj0 = std::max(view_.j0, g.j0), vj1 = std::min(view_.j1, g.j1);
  if (vi1 <= vi0 || vj1 <= vj0) return;
  const double h = static_cast<double>(g.i1 - g.i0), w = static_cast<double>(g.j1 - g.j0);
  const int64_t r0 = cellOf(vi0 - g.i0, g.i1 - g.i0, g.rows), r1 = cellOf(vi1 - 1 - g.i0, g.i1 - g.i0, g.rows) + 1;
  const int64_t c0 = cellOf(vj0 - g.j0, g.j1 - g.j0, g.cols), c1 = cellOf(vj1 - 1 - g.j0, g.j1 - g.j0, g.cols) + 1;
  auto x = [&](double token) { return plot.left() + (token - view_.j0) * plot.width() / static_cast<double>(view_.j1 - view_.j0); };
  auto y = [&](double token) { return plot.top() + (token - view_.i0) * plot.height() / static_cast<double>(view_.i1 - view_.i0); };
  const QRectF target(QPointF(x(g.j0 + c0 * w / g.cols), y(g.i0 + r0 * h / g.rows)), QPointF(x(g.j0 + c1 * w / g.cols), y(g.i0 + r1 * h / g.rows)));
  p.drawImage(target, image, QRectF(c0, r0, c1 - c0, r1 - r0));
}

void HeatmapView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRect plot = plotRect();
  p.setPen(palette().color(QPalette::WindowText));
  const QStringList title = titleLines(width() - 16);
  p.drawText(titleRect(), Qt::AlignHCenter | Qt::AlignTop, title.join(QLatin1Char('\n')));
  if (!hasData()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(plot, Qt::AlignCenter, tr("No map yet"));
    return;
  }
  // Nearest-neighbour scaling keeps single-token cells crisp.
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.save();
  p.setClipRect(plot);
  p.fillRect(plot, palette().base());
  drawGrid(p, image_, data_);
  if (maskVisible_ && hasMask()) drawGrid(p, maskImage_, mask_);
  const QPoint cross = crosshairPoint();
  if (cross.x() >= 0) {
    // A white line between two dark ones reads on every colormap entry.
    p.setPen(QPen(QColor(0, 0, 0, 160), 3));
    p.drawLine(QPoint(cross.x(), plot.top()), QPoint(cross.x(), plot.bottom()));
    p.drawLine(QPoint(plot.left(), cross.y()), QPoint(plot.right(), cross.y()));
    p.setPen(QPen(Qt::white, 1));
    p.drawLine(QPoint(cross.x(), plot.top()), QPoint(cross.x(), plot.bottom()));
    p.drawLine(QPoint(plot.left(), cross.y()), QPoint(plot.right(), cross.y()));
  }
  p.restore();
  p.setPen(palette().color(QPalette::WindowText));
  p.drawRect(plot.adjusted(0, 0, -1, -1));

  ColorBarSpec bar;
  bar.colormap = data_.colormap;
  bar.scale = data_.scale;
  bar.range = shadeRange();
  bar.label = data_.rowNormalised ? tr("%1 / row max").arg(QString::fromStdString(data_.valueName)) : QString::fromStdString(data_.valueName);
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1));
  p.setFont(small);
  drawColorBar(p, colorBarRect(), bar, palette());

  // Axis ends: first and last token of each axis in view.
  const QString rowName = QString::fromStdString(data_.rowName), colName = QString::fromStdString(data_.colName);
  p.drawText(QRect(plot.left(), plot.bottom() + 4, 100, 18), Qt::AlignLeft, tr("%1 = %2").arg(colName).arg(view_.j0));
  p.drawText(QRect(plot.right() - 100, plot.bottom() + 4, 100, 18), Qt::AlignRight, QString::number(view_.j1 - 1));
  p.drawText(QRect(0, plot.top(), plot.left() - 4, 18), Qt::AlignRight, tr("%1 = %2").arg(rowName).arg(view_.i0));
  p.drawText(QRect(0, plot.bottom() - 18, plot.left() - 4, 18), Qt::AlignRight, QString::number(view_.i1 - 1));
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  if (dragging_ && !view_.empty()) {
    const QRect plot = plotRect();
    const QPoint delta = pos - dragStart_;
    const int64_t di = static_cast<int64_t>(std::llround(-delta.y() * static_cast<double>(dragRegion_.i1 - dragRegion_.i0) / plot.height()));
    const int64_t dj = static_cast<int64_t>(std::llround(-delta.x() * static_cast<double>(dragRegion_.j1 - dragRegion_.j0) / plot.width()));
    setViewRegion({dragRegion_.i0 + di, dragRegion_.i1 + di, dragRegion_.j0 + dj, dragRegion_.j1 + dj});
  }
  const auto token = tokenAt(pos);
  if (token.first < 0) {
    if (isVisible() && titleRect().contains(pos) && shownTitle() != QString::fromStdString(data_.title))
      QToolTip::showText(event->globalPosition().toPoint(), QString::fromStdString(data_.title), this);
    else
      QToolTip::hideText();
    if (hoverToken_.first >= 0) {
      hoverToken_ = {-1, -1};
      clearCrosshair();
      emit hoverLeft();
    }
    emit hovered(QString());
    return;
  }
  const QString text = describeAt(pos);
  if (text.isEmpty() || !isVisible()) QToolTip::hideText();
  else QToolTip::showText(event->globalPosition().toPoint(), text, this);
  emit hovered(text);
  if (token != hoverToken_) {
    hoverToken_ = token;
    setCrosshair(token.first, token.second);
    emit tokenHovered(token.first, token.second);
  }
}

void HeatmapView::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !plotRect().contains(event->position().toPoint())) return QWidget::mousePressEvent(event);
  dragging_ = true;
  dragStart_ = event->position().toPoint();
  dragRegion_ = view_;
  setCursor(Qt::ClosedHandCursor);
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && dragging_) {
    dragging_ = false;
    unsetCursor();
  }
  QWidget::mouseReleaseEvent(event);
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent*) { resetZoom(); }

void HeatmapView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0 || !hasData()) return QWidget::wheelEvent(event);
  zoomAt(event->position(), std::pow(0.8, steps));
  event->accept();
}

void HeatmapView::keyPressEvent(QKeyEvent* event) {
  if (!hasData()) return QWidget::keyPressEvent(event);
  const QPointF centre = QRectF(plotRect()).center();
  // Arrows move a tenth of the view.
  const int64_t di = std::max<int64_t>(1, (view_.i1 - view_.i0) / 10), dj = std::max<int64_t>(1, (view_.j1 - view_.j0) / 10);
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomAt(centre, 0.5); break;
    case Qt::Key_Minus: zoomAt(centre, 2.0); break;
    case Qt::Key_Home: resetZoom(); break;
    case Qt::Key_Left: setViewRegion({view_.i0, view_.i1, view_.j0 - dj, view_.j1 - dj}); break;
    case Qt::Key_Right: setViewRegion({view_.i0, view_.i1, view_.j0 + dj, view_.j1 + dj}); break;
    case Qt::Key_Up: setViewRegion({view_.i0 - di, view_.i1 - di, view_.j0, view_.j1}); break;
    case Qt::Key_Down: setViewRegion({view_.i0 + di, view_.i1 + di, view_.j0, view_.j1}); break;
    default: return QWidget::keyPressEvent(event);
  }
  event->accept();
}

void HeatmapView::leaveEvent(QEvent*) {
  QToolTip::hideText();
  emit hovered(QString());
  if (hoverToken_.first >= 0) {
    hoverToken_ = {-1, -1};
    clearCrosshair();
    emit hoverLeft();
  }
}

void HeatmapView::changeEvent(QEvent* event) {
  // The title wraps by width in the current font.
  if (event->type() == QEvent::FontChange) update();
  QWidget::changeEvent(event);
}

}  // namespace attnscope
