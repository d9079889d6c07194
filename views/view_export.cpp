#include "view_export.hpp"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLayout>
#include <QPainter>
#include <QSvgGenerator>
#include <QWidget>

namespace attnscope {

namespace {

// Messages of this file, written Text::tr("...") so that lupdate finds them.
struct Text {
  Q_DECLARE_TR_FUNCTIONS(attnscope::ViewExport)
};


// What to draw: the size the widget is laid out at, and the size of the output.
struct Frame {
  QSize layout, output;
};

// A hidden widget is laid out at the requested size (it only resizes its
// children once its layout is activated); a visible one keeps its size, so the
// window does not jump, and is scaled to the requested size instead.
Frame prepare(QWidget* w, QSize size) {
  if (!size.isValid() || size.isEmpty()) {
    size = w->size();
    if (!w->testAttribute(Qt::WA_Resized) || size.isEmpty()) size = w->sizeHint();
    if (!size.isValid() || size.isEmpty()) size = QSize(640, 480);
    // Never smaller than the layout allows: that would cut labels off.
    size = size.expandedTo(w->minimumSizeHint());
  }
  w->ensurePolished();
  if (w->isVisible()) return {w->size(), size};
  if (w->size() != size) w->resize(size);
  if (QLayout* layout = w->layout()) layout->activate();
  // Children with their own layouts (chart views, nested panels) settle too.
  for (QWidget* child : w->findChildren<QWidget*>()) {
    if (QLayout* layout = child->layout()) layout->activate();
  }
  QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
  return {size, size};
}

void paintInto(QPainter& painter, QWidget* w, const Frame& frame) {
  painter.fillRect(QRect(QPoint(0, 0), frame.output), w->palette().color(QPalette::Window));
  if (frame.layout != frame.output && !frame.layout.isEmpty())
    painter.scale(static_cast<double>(frame.output.width()) / frame.layout.width(), static_cast<double>(frame.output.height()) / frame.layout.height());
  // DrawChildren without DrawWindowBackground: the fill above is the background.
  w->render(&painter, QPoint(), QRegion(QRect(QPoint(0, 0), frame.layout)), QWidget::DrawChildren);
}

void setError(QString* error, const QString& text) {
  if (error) *error = text;
}

}  // namespace

QImage renderWidgetImage(QWidget* w, QSize size) {
  if (!w) return {};
  const Frame frame = prepare(w, size);
  QImage image(frame.output, QImage::Format_ARGB32_Premultiplied);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  paintInto(painter, w, frame);
  painter.end();
  return image;
}

bool saveWidgetPng(QWidget* w, const QString& path, QString* error, QSize size) {
  if (!w) {
    setError(error, Text::tr("nothing to export"));
    return false;
  }
  const QImage image = renderWidgetImage(w, size);
  if (image.isNull()) {
    setError(error, Text::tr("the view has nothing to draw"));
    return false;
  }
  if (!image.save(path, "PNG")) {
    setError(error, Text::tr("cannot write %1").arg(QFileInfo(path).absoluteFilePath()));
    return false;
  }
  return true;
}

bool saveWidgetSvg(QWidget* w, const QString& path, QString* error, QSize size) {
  if (!w) {
    setError(error, Text::tr("nothing to export"));
    return false;
  }
  const Frame frame = prepare(w, size);
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(frame.output);
  svg.setViewBox(QRect(QPoint(0, 0), frame.output));
  svg.setTitle(w->windowTitle().isEmpty() ? w->objectName() : w->windowTitle());
  svg.setDescription(Text::tr("Exported from AttnScope"));
  QPainter painter;
  if (!painter.begin(&svg)) {
    setError(error, Text::tr("cannot write %1").arg(QFileInfo(path).absoluteFilePath()));
    return false;
  }
  paintInto(painter, w, frame);
  painter.end();
  if (!QFileInfo(path).exists() || QFileInfo(path).size() == 0) {
    setError(error, Text::tr("cannot write %1").arg(QFileInfo(path).absoluteFilePath()));
    return false;
  }
  return true;
}

}  // namespace attnscope
