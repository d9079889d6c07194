// Export of any view: into a QImage (tests, screenshots), a PNG, or an SVG
// through QSvgGenerator. Works offscreen, without showing the widget.
#pragma once

#include <QImage>
#include <QSize>
#include <QString>

class QWidget;

namespace attnscope {

// Renders w into an image of size (when empty: its current size, or its size
// hint when it was never sized). A hidden widget is laid out at that size
// first; a visible one keeps its size on screen and is drawn scaled.
QImage renderWidgetImage(QWidget* w, QSize size = {});

// Writes w as a PNG at size (see renderWidgetImage). false with a reason in *error.
bool saveWidgetPng(QWidget* w, const QString& path, QString* error = nullptr, QSize size = {});

// Writes w as an SVG: vector where the widget paints with QPainter (text,
// lines, charts), embedded images where it paints images (heatmap cells).
bool saveWidgetSvg(QWidget* w, const QString& path, QString* error = nullptr, QSize size = {});

}  // namespace attnscope
