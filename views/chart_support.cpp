#include "chart_support.hpp"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QScatterSeries>
#include <QToolTip>
#include <cmath>

namespace attnscope {

void connectPointTips(QScatterSeries* series, std::vector<QString> tips, std::function<void(const QString&)> onHover) {
  QObject::connect(series, &QScatterSeries::hovered, series, [series, tips = std::move(tips), onHover = std::move(onHover)](const QPointF& p, bool on) {
    if (!on) return;
    const QList<QPointF> all = series->points();
    for (int i = 0; i < all.size() && i < static_cast<int>(tips.size()); ++i)
      if (all[i] == p) {
        QToolTip::showText(QCursor::pos(), tips[static_cast<size_t>(i)]);
        if (onHover) onHover(tips[static_cast<size_t>(i)]);
        return;
      }
  });
}

QPointF chartPointIn(QChart* chart, const QChartView* view, const QWidget* widget, QPointF value) {
  const QList<QAbstractSeries*> series = chart->series();
  if (series.isEmpty()) return {std::nan(""), std::nan("")};
  const QPointF inChart = chart->mapToPosition(value, series.front());
  const QPoint inView = view->mapFromScene(chart->mapToScene(inChart));
  return QPointF(view->viewport()->mapTo(widget, inView));
}

namespace {
QChart::ChartTheme themeFor(const QWidget* w) {
  return w->palette().color(QPalette::Window).lightness() < 128 ? QChart::ChartThemeDark : QChart::ChartThemeLight;
}
}  // namespace

QChart* replaceChart(QChartView* view, const QWidget* themeSource) {
  QChart* old = view->chart();
  auto* c = new QChart;
  c->setTheme(themeFor(themeSource));
  view->setChart(c);
  delete old;
  return c;
}

void resetChart(QChart* chart, const QWidget* themeSource) {
  chart->removeAllSeries();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
  chart->setTheme(themeFor(themeSource));
}

QStringList visibleSeriesNames(const QChart* chart) {
  QStringList names;
  for (QAbstractSeries* s : chart->series())
    if (!s->property("legendHidden").toBool()) names << s->name();
  return names;
}

}  // namespace attnscope
