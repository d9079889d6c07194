// The timeline drawn by the ImGui canvas under a real OpenGL context: spans
// in their category's colour where their times fall, wheel zoom about the
// cursor, drag to pan, click to select, a big trace drawn in few boxes, and
// Chinese span names drawn with their own glyphs.
#include <QSignalSpy>
#include <QtTest>

#include "profile_page.hpp"
#include "span_table.hpp"
#include "timeline_view.hpp"

using namespace attnscope;

namespace {

Span span(const std::string& name, SpanCategory category, int64_t start, int64_t duration, int track = 0) {
  Span s;
  s.name = name;
  s.category = category;
  s.device = "cpu";
  s.track = track;
  s.startNs = start;
  s.durationNs = duration;
  return s;
}

Trace twoSpans() {
  Trace t;
  t.spans = {span("scores", SpanCategory::Kernel, 1000, 500000), span("copy out", SpanCategory::Memcpy, 501000, 500000)};
  t.memory = {{1000, 0}, {200000, 4 << 20}, {900000, 1 << 20}};
  t.peakBytes = 4 << 20;
  return t;
}

QRgb pixelAt(const QImage& image, QPointF p) { return image.pixel(static_cast<int>(p.x()), static_cast<int>(p.y())); }

void send(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
  QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(w, &e);
}

}  // namespace

class TestGlTimeline : public QObject {
  Q_OBJECT

  std::unique_ptr<TimelineView> view;

  void frames() {
    view->renderImage();
    QCoreApplication::processEvents();
  }

 private slots:
  void init() {
    view = std::make_unique<TimelineView>();
    view->resize(900, 300);
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    QVERIFY2(view->failure().isEmpty(), qPrintable(view->failure()));
  }
  void cleanup() { view.reset(); }

  void spansSitWhereTheirTimesFall() {
    view->setTrace(twoSpans());
    const QImage image = view->renderImage();
    const QRectF row = view->levelRect(0, 0);
    QVERIFY(!row.isEmpty());
    const TimelineViewport& v = view->viewport();
    const double y = row.center().y();
    const QRgb kernel = pixelAt(image, {row.left() + v.xOf(100000), y});
    const QRgb copy = pixelAt(image, {row.left() + v.xOf(900000), y});
    // Kernels blue, copies orange.
    QVERIFY2(qBlue(kernel) > qRed(kernel) + 60, qPrintable(QString::number(kernel, 16)));
    QVERIFY2(qRed(copy) > qBlue(copy) + 60, qPrintable(QString::number(copy, 16)));
    // Before the first span: no span colour.
    const QRgb before = pixelAt(image, {row.left() + 2, y});
    QVERIFY(std::abs(qBlue(before) - qRed(before)) < 40);
  }

  void wheelZoomsAboutTheCursor() {
    view->setTrace(twoSpans());
    frames();
    const QRectF plot = view->plotRect();
    const QPointF at(plot.left() + plot.width() * 0.25, view->levelRect(0, 0).center().y());
    const double before = view->viewport().nsAt(at.x() - plot.left());
    const double width = view->viewport().endNs - view->viewport().startNs;
    QWheelEvent wheel(at, view->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view.get(), &wheel);
    frames();
    const double after = view->viewport().endNs - view->viewport().startNs;
    QVERIFY2(after < width * 0.7, qPrintable(QString("%1 -> %2").arg(width).arg(after)));
    QVERIFY(std::abs(view->viewport().nsAt(at.x() - plot.left()) - before) < width * 0.01);
  }

  void dragPansAndClickSelects() {
    view->setTrace(twoSpans());
    view->setViewport(0, 500000);  // zoomed: the second span starts at the right edge
    frames();
    const QRectF row = view->levelRect(0, 0);
    const double start = view->viewport().startNs;
    QPointF p(row.left() + row.width() * 0.6, row.center().y());
    send(view.get(), QEvent::MouseMove, p, Qt::NoButton, Qt::NoButton);
    frames();
    send(view.get(), QEvent::MouseButtonPress, p, Qt::LeftButton, Qt::LeftButton);
    frames();
    for (int k = 1; k <= 5; ++k) {
      send(view.get(), QEvent::MouseMove, p - QPointF(40.0 * k, 0), Qt::NoButton, Qt::LeftButton);
      frames();
    }
    send(view.get(), QEvent::MouseButtonRelease, p - QPointF(200, 0), Qt::LeftButton, Qt::NoButton);
    frames();
    QVERIFY2(view->viewport().startNs > start + 100000, qPrintable(QString("%1 -> %2").arg(start).arg(view->viewport().startNs)));

    // A click (press and release between two frames) on the copy selects it.
    QSignalSpy selected(view.get(), &TimelineView::spanSelected);
    const double onCopyNs = (std::max(view->viewport().startNs, 501000.0) + std::min(view->viewport().endNs, 1001000.0)) / 2;
    QVERIFY(onCopyNs > 501000 && onCopyNs < 1001000);
    const QPointF onCopy(view->levelRect(0, 0).left() + view->viewport().xOf(onCopyNs), view->levelRect(0, 0).center().y());
    send(view.get(), QEvent::MouseMove, onCopy, Qt::NoButton, Qt::NoButton);
    frames();
    send(view.get(), QEvent::MouseButtonPress, onCopy, Qt::LeftButton, Qt::LeftButton);
    send(view.get(), QEvent::MouseButtonRelease, onCopy, Qt::LeftButton, Qt::NoButton);
    frames();
    frames();
    QTRY_COMPARE(selected.size(), 1);
    QCOMPARE(selected.first().at(0).toInt(), 1);
    QCOMPARE(view->selectedSpan(), 1);
  }

  void bigTraceDrawsFewBoxes() {
    Trace t;
    for (int k = 0; k < 200000; ++k) t.spans.push_back(span("tile", SpanCategory::Kernel, int64_t{k} * 50, 40, k % 2));
    view->setTrace(t);
    frames();
    QVERIFY2(view->boxesDrawn() > 0 && view->boxesDrawn() < 2000, qPrintable(QString::number(view->boxesDrawn())));
  }

  void chineseNamesHaveTheirGlyphs() {
    Trace t;
    t.spans = {span("注意力 龘", SpanCategory::Host, 0, 1000000)};
    view->setTrace(t);
    const QImage named = view->renderImage();
    QVERIFY(view->hasGlyph(U'注'));
    QVERIFY(view->hasGlyph(U'龘'));  // not among the common characters: added from the trace
    t.spans[0].name = "";
    view->setTrace(t);
    const QImage blank = view->renderImage();
    // The name's glyphs put light pixels on the span.
    const QRectF row = view->levelRect(0, 0);
    int differ = 0;
    for (int y = static_cast<int>(row.top()); y < static_cast<int>(row.bottom()); ++y)
      for (int x = static_cast<int>(row.left()); x < static_cast<int>(row.left()) + 120; ++x) differ += named.pixel(x, y) != blank.pixel(x, y);
    QVERIFY2(differ > 40, qPrintable(QString::number(differ)));
  }

  // On the Profile page the table and the timeline show the same trace, and a
  // span picked in one is selected in the other.
  void profilePageLinksTableAndTimeline() {
    ProfilePage page(PageContext{});
    page.resize(1000, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto run = std::make_shared<RunResult>();
    run->trace = twoSpans();
    run->shape.n = 256;
    run->time.medianMs = 1.0;
    auto item = std::make_shared<CompareItem>();
    item->spec.attention.variant = "dense";
    item->run = run;
    page.addItem(1, item);
    QVERIFY(page.hasResults());
    QCOMPARE(page.timeline()->model().trace().spans.size(), size_t(2));
    page.table()->selectSpan(1);
    QCOMPARE(page.table()->selectedSpan(), 1);
    // A row picked by the user selects the span on the timeline.
    page.table()->spansView()->selectRow(page.table()->spansView()->currentIndex().row() == 0 ? 1 : 0);
    QTRY_COMPARE(page.timeline()->selectedSpan(), page.table()->selectedSpan());
    // And a span picked on the timeline selects its row.
    emit page.timeline()->spanSelected(0);
    QCOMPARE(page.table()->selectedSpan(), 0);
  }
};

QTEST_MAIN(TestGlTimeline)
#include "test_gl_timeline.moc"
