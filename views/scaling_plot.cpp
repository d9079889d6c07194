#include "scaling_plot.hpp"

#include <QApplication>

#include "scaling_chart.hpp"
#include "view_export.hpp"

namespace attnscope {

QImage renderScalingPlot(const ScalingPlotData& data, QSize size) {
  // Chart views are widgets: a QGuiApplication alone cannot create them.
  if (!qobject_cast<QApplication*>(QCoreApplication::instance())) return {};
  ScalingChart chart;
  chart.setData(data);
  return renderWidgetImage(&chart, size);
}

}  // namespace attnscope
