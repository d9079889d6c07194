// The colour bar beside a heatmap: how a value maps to a colour (shared by
// the image and the bar, so they always agree), its ticks, and its drawing.
#pragma once

#include <QRect>
#include <QString>
#include <vector>

#include "analysis/colormap.hpp"

class QPainter;
class QPalette;
class QFont;
class QFontMetrics;

namespace attnscope {

// The values a colour bar spans: lo gets the first colour, hi the last.
struct ShadeRange {
  double lo = 0, hi = 1;
};

// Position of |v| on the colormap, in [0, 1]: linear and sqrt from lo = 0,
// log between lo and hi (values at or below lo share the darkest colour).
double shadeFraction(ColorScale scale, const ShadeRange& range, double v);

struct ColorBarTick {
  double value = 0;
  double t = 0;  // position on the bar, 0 bottom .. 1 top
  QString text;
};

// Round values inside the range: decades on a log scale, 1-2-5 steps otherwise;
// always at least the two ends.
std::vector<ColorBarTick> colorBarTicks(ColorScale scale, const ShadeRange& range, int maxTicks = 6);

// Short, locale-independent number for ticks and labels ("0.25", "1e-04").
QString formatTickValue(double v);

struct ColorBarSpec {
  Colormap colormap = Colormap::Viridis;
  ColorScale scale = ColorScale::Linear;
  ShadeRange range;
  QString label;  // the value's name, drawn along the bar
};

// Width a colour bar with its tick labels and name needs.
int colorBarWidth(const QFontMetrics& metrics);
// Draws the bar into the left part of area (bar, ticks to its right, the name rotated beside them).
// Returns the rectangle of the colour strip itself.
QRect drawColorBar(QPainter& painter, const QRect& area, const ColorBarSpec& spec, const QPalette& palette);

}  // namespace attnscope
