// Small pieces the line charts share (scaling, trade-off): point tooltips,
// data-to-widget mapping and the names a legend shows.
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

class QChart;
class QChartView;
class QScatterSeries;
class QWidget;

namespace attnscope {

// Shows tips[i] as a tooltip (and passes it to onHover) when point i of series is hovered.
void connectPointTips(QScatterSeries* series, std::vector<QString> tips, std::function<void(const QString&)> onHover);

// Where the chart draws the data point (x, y), in coordinates of `widget`
// (an ancestor of view). NaN when the chart has no series.
QPointF chartPointIn(QChart* chart, const QChartView* view, const QWidget* widget, QPointF value);

// A fresh chart in view, themed like `themeSource`'s palette (replacing axes in
// place can leave the old axis items drawn); the old chart is deleted.
QChart* replaceChart(QChartView* view, const QWidget* themeSource);
// Empties chart (series and axes) and themes it like `themeSource`'s palette.
void resetChart(QChart* chart, const QWidget* themeSource);

// Names of the chart's series that are not marked with the "legendHidden" property.
QStringList visibleSeriesNames(const QChart* chart);

}  // namespace attnscope
