// The heatmap view draws what it is given: pixels and tooltips checked.
#include <QtTest>

#include <QXmlStreamReader>
#include <QFile>
#include <QTemporaryDir>
#include <cmath>

#include "heatmap_view.hpp"
#include "view_export.hpp"

using namespace attnscope;

namespace {
bool near(const QColor& a, const QColor& b, int tolerance = 8) {
  return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance && std::abs(a.blue() - b.blue()) <= tolerance;
}
// Mouse events straight to the widget: the view is tested without being shown.
void send(QWidget* w, QEvent::Type type, const QPoint& pos, Qt::MouseButton button = Qt::NoButton) {
  const Qt::MouseButtons buttons = type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::MouseButtons(button);
  QMouseEvent event(type, QPointF(pos), w->mapToGlobal(QPointF(pos)), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(w, &event);
}
}  // namespace

class TestHeatmapView : public QObject {
  Q_OBJECT

 private:
  static HeatmapData diagonal(int n) {
    HeatmapData d;
    d.rows = d.cols = n;
    d.i0 = d.j0 = 0;
    d.i1 = d.j1 = n;
    d.values.assign(static_cast<size_t>(n * n), 0.0f);
    for (int i = 0; i < n; ++i) d.values[static_cast<size_t>(i * n + i)] = 1.0f;
    d.labels = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"The", "Harbor", "clause", ":"});
    d.scale = ColorScale::Linear;
    return d;
  }

 private slots:
  void rendersColormapEnds() {
    const QImage img = renderHeatmapImage(diagonal(4));
    QCOMPARE(img.size(), QSize(4, 4));
    // Viridis: weight 1 is yellow (253, 231, 37), weight 0 is dark purple (68, 1, 84).
    QCOMPARE(QColor(img.pixel(2, 2)), QColor(253, 231, 37));
    QCOMPARE(QColor(img.pixel(1, 2)), QColor(68, 1, 84));
  }

  void logScaleSeparatesSmallWeights() {
    HeatmapData d = diagonal(4);
    d.scale = ColorScale::Log;
    d.values[1] = 0.01f;  // visible on a log scale, invisible on a linear one
    const QImage img = renderHeatmapImage(d);
    QVERIFY(QColor(img.pixel(1, 0)) != QColor(img.pixel(2, 0)));
  }

  void viewPaintsTheCells() {
    HeatmapView view;
    view.resize(400, 400);
    view.setData(diagonal(4));
    const QImage shot = view.grab().toImage();
    const QRect plot = view.plotRect();
    // The centre of cell (0, 0) is on the diagonal: bright; cell (0, 3) is dark.
    const QPoint onDiagonal(plot.left() + plot.width() / 8, plot.top() + plot.height() / 8);
    const QPoint offDiagonal(plot.left() + 7 * plot.width() / 8, plot.top() + plot.height() / 8);
    QCOMPARE(QColor(shot.pixel(onDiagonal)), QColor(253, 231, 37));
    QCOMPARE(QColor(shot.pixel(offDiagonal)), QColor(68, 1, 84));
  }

  void tooltipNamesBothTokens() {
    HeatmapView view;
    view.resize(400, 400);
    view.setData(diagonal(4));
    const QRect plot = view.plotRect();
    const QString text = view.describeAt(QPoint(plot.left() + 3 * plot.width() / 8, plot.top() + 3 * plot.height() / 8));
    QVERIFY2(text.contains("i = 1") && text.contains("j = 1") && text.contains("Harbor") && text.contains("weight = 1"), qPrintable(text));
    QVERIFY(view.describeAt(QPoint(1, 1)).isEmpty());
  }

  void pooledCellsDescribeTheirRange() {
    HeatmapData d;
    d.rows = d.cols = 2;
    d.i0 = d.j0 = 0;
    d.i1 = d.j1 = 100;
    d.values = {0.5f, 0.1f, 0.2f, 0.3f};
    d.maxValues = {0.9f, 0.2f, 0.4f, 0.6f};
    HeatmapView view;
    view.resize(400, 400);
    view.setData(d);
    const QRect plot = view.plotRect();
    const QString text = view.describeAt(QPoint(plot.left() + 3 * plot.width() / 4, plot.top() + plot.height() / 4));
    QVERIFY2(text.contains("i = 0..49") && text.contains("j = 50..99") && text.contains("max = 0.2"), qPrintable(text));
  }

  void colourBarSpansTheColormap() {
    HeatmapView view;
    view.resize(480, 400);
    view.setData(diagonal(4));
    const QImage shot = renderWidgetImage(&view);
    const QRect bar = view.colorBarRect();
    // Top of the strip is the top of the scale (yellow), its bottom the first colour.
    QVERIFY(near(shot.pixel(bar.left() + 6, bar.top() + 1), QColor(253, 231, 37)));
    QVERIFY(near(shot.pixel(bar.left() + 6, bar.bottom() - 1), QColor(68, 1, 84)));
    QVERIFY(near(shot.pixel(bar.left() + 6, bar.center().y()), QColor(33, 145, 140), 12));  // viridis mid-point
    const auto ticks = colorBarTicks(ColorScale::Log, ShadeRange{1e-4, 1.0});
    QCOMPARE(static_cast<int>(ticks.size()), 5);
    QCOMPARE(ticks.front().text, QString("1e-04"));
    QCOMPARE(ticks.back().t, 1.0);
    const auto linear = colorBarTicks(ColorScale::Linear, ShadeRange{0, 0.5});
    QCOMPARE(linear.front().value, 0.0);
    QCOMPARE(linear.back().text, QString("0.5"));
  }

  void logAndLinearShadeAWeakCellDifferently() {
    HeatmapData d = diagonal(4);
    d.values[3] = 0.01f;  // weak long-range link, cell (0, 3)
    HeatmapView view;
    view.resize(480, 400);
    view.setData(d);
    const QRect plot = view.plotRect();
    const QPoint weak(plot.left() + 7 * plot.width() / 8, plot.top() + plot.height() / 8);
    const QColor linear = renderWidgetImage(&view).pixel(weak);
    view.setColorScale(ColorScale::Log);
    const QColor log = renderWidgetImage(&view).pixel(weak);
    QVERIFY(linear != log);
    QCOMPARE(log, QColor(view.cellImage().pixel(3, 0)));
    // The chosen scale outlives new data.
    view.setData(d);
    QCOMPARE(view.colorScale(), ColorScale::Log);
  }

  void rowNormalisedLiftsAWeakRow() {
    HeatmapData d = diagonal(4);
    d.values[2 * 4 + 2] = 0.1f;  // row 2 peaks at 0.1
    const QImage plain = renderHeatmapImage(d);
    d.rowNormalised = true;
    const QImage norm = renderHeatmapImage(d);
    QVERIFY(QColor(plain.pixel(2, 2)) != QColor(253, 231, 37));
    QCOMPARE(QColor(norm.pixel(2, 2)), QColor(253, 231, 37));
  }

  void crosshairSitsOnTheToken() {
    HeatmapView view;
    view.resize(480, 400);
    view.setData(diagonal(4));
    const QImage before = renderWidgetImage(&view);
    view.setCrosshair(1, 2);
    const QPoint c = view.crosshairPoint();
    const QRect plot = view.plotRect();
    QVERIFY(std::abs(c.x() - (plot.left() + 5 * plot.width() / 8)) <= 1);
    QVERIFY(std::abs(c.y() - (plot.top() + 3 * plot.height() / 8)) <= 1);
    const QImage after = renderWidgetImage(&view);
    // Vertical line through column 2 in row 3's cell, horizontal through row 1 in column 0's.
    const QPoint onVertical(c.x(), plot.top() + 7 * plot.height() / 8);
    const QPoint onHorizontal(plot.left() + plot.width() / 16, c.y());
    QCOMPARE(QColor(after.pixel(onVertical)), QColor(Qt::white));
    QCOMPARE(QColor(after.pixel(onHorizontal)), QColor(Qt::white));
    QVERIFY(QColor(before.pixel(onVertical)) != QColor(Qt::white));
    view.clearCrosshair();
    QCOMPARE(view.crosshairPoint(), QPoint(-1, -1));
    QCOMPARE(renderWidgetImage(&view).pixel(onVertical), before.pixel(onVertical));
  }

  void hoverReportsTheToken() {
    HeatmapView view;
    view.resize(480, 400);
    view.setData(diagonal(4));
    QSignalSpy hovered(&view, &HeatmapView::tokenHovered);
    QSignalSpy left(&view, &HeatmapView::hoverLeft);
    const QRect plot = view.plotRect();
    send(&view, QEvent::MouseMove, QPoint(plot.left() + 5 * plot.width() / 8, plot.top() + 3 * plot.height() / 8));
    QCOMPARE(hovered.count(), 1);
    QCOMPARE(hovered.at(0).at(0).value<int64_t>(), int64_t{1});
    QCOMPARE(hovered.at(0).at(1).value<int64_t>(), int64_t{2});
    QVERIFY(view.hasCrosshair());
    send(&view, QEvent::MouseMove, QPoint(2, 2));
    QCOMPARE(left.count(), 1);
    QVERIFY(!view.hasCrosshair());
  }

  void weightAtReadsTheShownCell() {
    HeatmapData d;
    d.rows = d.cols = 2;
    d.i0 = d.j0 = 10;
    d.i1 = d.j1 = 110;
    d.values = {0.5f, 0.1f, 0.2f, 0.3f};
    HeatmapView view;
    view.setData(d);
    QCOMPARE(view.weightAt(10, 10), 0.5f);
    QCOMPARE(view.weightAt(59, 60), 0.1f);
    QCOMPARE(view.weightAt(109, 109), 0.3f);
    QVERIFY(std::isnan(view.weightAt(9, 10)));
    QVERIFY(std::isnan(view.weightAt(10, 110)));
  }

  void zoomAsksForTheRegion() {
    HeatmapData d;
    d.rows = d.cols = 4;
    d.i1 = d.j1 = 1000;
    d.values.assign(16, 0.5f);
    d.values[0] = 1.0f;
    HeatmapView view;
    view.resize(480, 400);
    view.setData(d);
    QSignalSpy requested(&view, &HeatmapView::regionRequested);
    const QRect plot = view.plotRect();
    // Zoom into the top-left corner: the view narrows at once, the request follows a pause.
    QWheelEvent wheel(QPointF(plot.topLeft()), QPointF(), QPoint(), QPoint(0, 120 * 4), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    const TokenRegion zoomed = view.viewRegion();
    QVERIFY(zoomed.i1 - zoomed.i0 < 1000 && zoomed.i0 == 0 && zoomed.j0 == 0);
    QVERIFY(requested.wait(1000));
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(1).value<int64_t>(), zoomed.i1);
    // Meanwhile the old cells are shown stretched: the zoomed corner is all cell (0, 0).
    const QImage shot = renderWidgetImage(&view);
    QCOMPARE(QColor(shot.pixel(plot.center())), QColor(253, 231, 37));
    // The app answers at full resolution; the zoom stays.
    HeatmapData exact;
    exact.rows = exact.i1 = zoomed.i1;
    exact.cols = exact.j1 = zoomed.j1;
    exact.values.assign(static_cast<size_t>(exact.rows * exact.cols), 0.25f);
    view.setData(exact);
    QCOMPARE(view.viewRegion(), zoomed);
    QCOMPARE(view.tokenExtent().i1, int64_t{1000});
    // Dragging pans; double click goes back to the whole map.
    send(&view, QEvent::MouseButtonPress, plot.center(), Qt::LeftButton);
    send(&view, QEvent::MouseMove, plot.center() - QPoint(plot.width() / 4, 0), Qt::LeftButton);
    send(&view, QEvent::MouseButtonRelease, plot.center() - QPoint(plot.width() / 4, 0), Qt::LeftButton);
    QVERIFY(view.viewRegion().j0 > 0);
    send(&view, QEvent::MouseButtonDblClick, plot.center(), Qt::LeftButton);
    QCOMPARE(view.viewRegion(), (TokenRegion{0, 1000, 0, 1000}));
    // Keys: + halves the view about its centre, arrows pan, Home resets.
    QTest::keyClick(&view, Qt::Key_Plus);
    QCOMPARE(view.viewRegion(), (TokenRegion{250, 750, 250, 750}));
    QTest::keyClick(&view, Qt::Key_Right);
    QCOMPARE(view.viewRegion().j0, int64_t{300});
    QTest::keyClick(&view, Qt::Key_Home);
    QCOMPARE(view.viewRegion(), (TokenRegion{0, 1000, 0, 1000}));
  }

  void newRunWhileZoomedKeepsTheZoom() {
    HeatmapData d;
    d.rows = d.cols = 4;
    d.i1 = d.j1 = 1000;
    d.values.assign(16, 0.5f);
    HeatmapView view;
    view.resize(480, 400);
    view.setData(d);
    QSignalSpy requested(&view, &HeatmapView::regionRequested);
    view.setViewRegion({100, 200, 300, 400});
    QVERIFY(requested.wait(1000));
    view.setData(d);  // a new run over the whole map
    QCOMPARE(view.viewRegion(), (TokenRegion{100, 200, 300, 400}));
    QVERIFY(requested.wait(1000));
    QCOMPARE(requested.count(), 2);
    // A late answer for a region the view has left is dropped: the map shown covers the view.
    const TokenRegion first{100, 200, 300, 400};
    view.setViewRegion({0, 1000, 0, 1000});
    HeatmapData late;
    late.rows = late.cols = 100;
    late.i0 = first.i0, late.i1 = first.i1, late.j0 = first.j0, late.j1 = first.j1;
    late.values.assign(10000, 0.1f);
    view.setData(late);
    QCOMPARE(view.viewRegion(), (TokenRegion{0, 1000, 0, 1000}));
    QCOMPARE(view.data().i1, int64_t{1000});
    QVERIFY(!requested.wait(400));  // nothing to ask: the whole map is shown
    // Data somewhere else entirely resets the view.
    HeatmapData other = d;
    other.i0 = other.j0 = 2000;
    other.i1 = other.j1 = 3000;
    view.setData(other);
    QCOMPARE(view.viewRegion(), (TokenRegion{2000, 3000, 2000, 3000}));
    // Clamped to the extent, at least minimumSpan tokens.
    view.setViewRegion({1990, 1991, 2999, 3010});
    QCOMPARE(view.viewRegion(), (TokenRegion{2000, 2000 + HeatmapView::minimumSpan, 2989, 3000}));
  }

  void maskOverlayVeilsSkippedPairs() {
    HeatmapView view;
    view.resize(480, 400);
    view.setData(diagonal(4));
    HeatmapData mask = diagonal(4);  // only the diagonal computed
    view.setMask(mask);
    const QRect plot = view.plotRect();
    const QPoint skipped(plot.left() + 7 * plot.width() / 8, plot.top() + plot.height() / 8);
    const QPoint computed(plot.left() + plot.width() / 8, plot.top() + plot.height() / 8);
    const QImage off = renderWidgetImage(&view);
    view.setMaskVisible(true);
    const QImage on = renderWidgetImage(&view);
    QVERIFY(QColor(on.pixel(skipped)) != QColor(off.pixel(skipped)));
    QCOMPARE(QColor(on.pixel(computed)), QColor(off.pixel(computed)));
  }

  void longTitleIsNeverCut() {
    HeatmapData d = diagonal(4);
    d.title = "global_window (window 64, globals 8), head 0, n = 4096, region 0..4095 x 0..4095, exact";
    HeatmapView view;
    view.resize(300, 300);
    view.setData(d);
    const QString shown = view.shownTitle();
    QVERIFY2(shown.contains('\n'), qPrintable(shown));  // wrapped
    for (const QString& line : shown.split('\n')) QVERIFY(view.fontMetrics().horizontalAdvance(line) <= view.titleRect().width());
    QVERIFY(view.plotRect().top() >= view.titleRect().bottom());
  }

  void exportsPngAndSvg() {
    QTemporaryDir dir;
    // ATTNSCOPE_TEST_DUMP=DIR keeps the exports for a look.
    const QString dump = qEnvironmentVariable("ATTNSCOPE_TEST_DUMP");
    // A banded 64-token map with weak long-range links, log scale, mask and crosshair.
    HeatmapData d;
    d.rows = d.cols = d.i1 = d.j1 = 64;
    d.title = "sliding_window (window 8), head 0, n = 64, exact map of the whole sequence";
    for (int i = 0; i < 64; ++i)
      for (int j = 0; j < 64; ++j) d.values.push_back(std::abs(i - j) <= 4 ? 0.1f / (1 + std::abs(i - j)) : 1e-4f * (1 + (i * j) % 7));
    HeatmapData mask = d;
    for (int i = 0; i < 64; ++i)
      for (int j = 0; j < 64; ++j) mask.values[static_cast<size_t>(i * 64 + j)] = std::abs(i - j) <= 4 ? 1.0f : 0.0f;
    HeatmapView view;
    view.setData(d);
    view.setMask(mask);
    view.setMaskVisible(true);
    view.setCrosshair(20, 40);
    QString error;
    const QString png = dir.filePath("map.png"), svg = dir.filePath("map.svg");
    QVERIFY2(saveWidgetPng(&view, png, &error, QSize(400, 360)), qPrintable(error));
    QVERIFY2(saveWidgetSvg(&view, svg, &error, QSize(400, 360)), qPrintable(error));
    if (!dump.isEmpty()) QFile::copy(dir.filePath("map.png"), dump + "/heatmap.png");
    QCOMPARE(QImage(png).size(), QSize(400, 360));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    // Well-formed XML with an <svg> root and the cells as an embedded image.
    QXmlStreamReader xml(&file);
    QString root;
    int images = 0;
    while (!xml.atEnd()) {
      if (xml.readNext() == QXmlStreamReader::StartElement) {
        if (root.isEmpty()) root = xml.name().toString();
        if (xml.name() == QLatin1String("image")) ++images;
      }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(root, QString("svg"));
    QVERIFY(images >= 1);
    // A widget on screen keeps its size; the export is scaled.
    view.resize(300, 270);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage big = renderWidgetImage(&view, QSize(600, 540));
    QCOMPARE(big.size(), QSize(600, 540));
    QCOMPARE(view.size(), QSize(300, 270));
    const QPoint cell = view.tokenCenter(2, 2).toPoint();
    QCOMPARE(big.pixel(cell * 2), renderWidgetImage(&view).pixel(cell));
    QVERIFY(!saveWidgetPng(&view, dir.filePath("missing/dir/map.png"), &error));
    QVERIFY(!error.isEmpty());
  }
};

QTEST_MAIN(TestHeatmapView)
#include "test_heatmap_view.moc"
