#include "color_bar.hpp"

#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {
constexpr int kStripWidth = 12;
constexpr int kTickLength = 4;
}  // namespace

double shadeFraction(ColorScale scale, const ShadeRange& range, double v) {
  v = std::abs(v);
  if (!std::isfinite(v) || range.hi <= 0) return 0;
  double t = 0;
  switch (scale) {
    case ColorScale::Linear: t = range.hi > range.lo ? (v - range.lo) / (range.hi - range.lo) : 1.0; break;
    case ColorScale::Sqrt: t = std::sqrt(std::max(0.0, v / range.hi)); break;
    case ColorScale::Log: {
      if (v <= 0) return 0;
      const double lo = std::log(std::max(1e-300, range.lo)), hi = std::log(range.hi);
      t = hi > lo ? (std::log(v) - lo) / (hi - lo) : 1.0;
      break;
    }
  }
  return std::clamp(t, 0.0, 1.0);
}

QString formatTickValue(double v) {
  if (v == 0) return QStringLiteral("0");
  const double a = std::abs(v);
  // QString::number is locale-independent; 'g' drops trailing zeros.
  if (a >= 1e-3 && a < 1e4) return QString::number(v, 'g', 3);
  QString s = QString::number(v, 'e', 0);  // "1e-04"
  return s;
}

std::vector<ColorBarTick> colorBarTicks(ColorScale scale, const ShadeRange& range, int maxTicks) {
  std::vector<ColorBarTick> ticks;
  auto add = [&](double v) {
    ticks.push_back({v, shadeFraction(scale, range, v), formatTickValue(v)});
  };
  maxTicks = std::max(2, maxTicks);
  if (range.hi <= 0) return ticks;
  if (scale == ColorScale::Log && range.lo > 0 && range.hi > range.lo) {
    const int first = static_cast<int>(std::ceil(std::log10(range.lo) - 1e-9));
    const int last = static_cast<int>(std::floor(std::log10(range.hi) + 1e-9));
    const int count = last - first + 1;
    const int stride = std::max(1, (count + maxTicks - 1) / maxTicks);
    for (int e = last; e >= first; e -= stride) ticks.push_back({std::pow(10.0, e), 0, {}});
    std::reverse(ticks.begin(), ticks.end());
    for (auto& t : ticks) t = {t.value, shadeFraction(scale, range, t.value), formatTickValue(t.value)};
    if (ticks.size() < 2) {
      ticks.clear();
      add(range.lo);
      add(range.hi);
    }
    return ticks;
  }
  const double lo = scale == ColorScale::Log ? range.lo : 0.0;
  const double span = range.hi - lo;
  const double raw = span / (maxTicks - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double v = std::ceil(lo / step) * step; v <= range.hi * (1 + 1e-9); v += step) add(std::abs(v) < step * 1e-9 ? 0.0 : v);
  if (ticks.size() < 2) {
    ticks.clear();
    add(lo);
    add(range.hi);
  }
  return ticks;
}

int colorBarWidth(const QFontMetrics& metrics) {
  return kStripWidth + kTickLength + 2 + metrics.horizontalAdvance(QStringLiteral("0.0000")) + metrics.height() + 4;
}

QRect drawColorBar(QPainter& p, const QRect& area, const ColorBarSpec& spec, const QPalette& palette) {
  const QRect strip(area.left(), area.top(), kStripWidth, area.height());
  if (strip.height() < 2) return strip;
  // One pixel row per colour step, drawn as an image so exports keep it crisp.
  QImage gradient(1, strip.height(), QImage::Format_RGB32);
  for (int y = 0; y < strip.height(); ++y) {
    const double t = strip.height() > 1 ? 1.0 - static_cast<double>(y) / (strip.height() - 1) : 1.0;
    const Rgb c = colormapLookup(spec.colormap, t);
    gradient.setPixel(0, y, qRgb(c.r, c.g, c.b));
  }
  p.save();
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.drawImage(strip, gradient);
  p.setPen(palette.color(QPalette::WindowText));
  p.drawRect(strip.adjusted(0, 0, -1, -1));
  const QFontMetrics fm = p.fontMetrics();
  int textRight = strip.right();
  for (const ColorBarTick& tick : colorBarTicks(spec.scale, spec.range)) {
    const int y = strip.bottom() - static_cast<int>(std::lround(tick.t * (strip.height() - 1)));
    p.drawLine(strip.right() + 1, y, strip.right() + kTickLength, y);
    const QRect text(strip.right() + kTickLength + 2, y - fm.height() / 2, fm.horizontalAdvance(tick.text) + 2, fm.height());
    p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, tick.text);
    textRight = std::max(textRight, text.right());
  }
  if (!spec.label.isEmpty()) {
    // The name runs bottom to top beside the tick labels.
    p.translate(textRight + 2 + fm.ascent(), strip.center().y());
    p.rotate(-90);
    const QString label = fm.elidedText(spec.label, Qt::ElideRight, strip.height());
    p.drawText(QRect(-strip.height() / 2, -fm.ascent(), strip.height(), fm.height()), Qt::AlignCenter, label);
  }
  p.restore();
  return strip;
}

}  // namespace attnscope
