// The timeline's model: lanes per device and thread, nesting levels that never
// overlap, the boxes of a window at a zoom (narrow spans merged, and at most a
// few boxes per pixel however many spans), hit tests, zoom and ticks.
#include <QtTest>

#include "timeline_model.hpp"

using namespace attnscope;

namespace {

Span span(const std::string& name, int64_t start, int64_t duration, int track = 0, const std::string& device = "cpu") {
  Span s;
  s.name = name;
  s.device = device;
  s.track = track;
  s.startNs = start;
  s.durationNs = duration;
  return s;
}

TimelineViewport viewport(double start, double end, double width) {
  TimelineViewport v;
  v.startNs = start;
  v.endNs = end;
  v.widthPx = width;
  return v;
}

}  // namespace

class TestTimelineModel : public QObject {
  Q_OBJECT

 private slots:
  void lanesAndLevels() {
    Trace t;
    // A run with two repeats, each holding two phases; a worker thread; a phase-total track; a GPU stream.
    t.spans = {span("run", 0, 1000),          span("repeat", 0, 500),  span("repeat", 500, 500), span("scores", 0, 200),
               span("softmax", 200, 300),     span("scores", 500, 250), span("worker", 100, 300, 1), span("tile", 0, 50, kPhaseTotalsTrackBase),
               span("kernel", 10, 20, 7, "cuda:0")};
    t.trackNames[1] = "worker 1";
    const TimelineModel m(t);
    QCOMPARE(m.firstNs(), int64_t(0));
    QCOMPARE(m.lastNs(), int64_t(1000));
    QCOMPARE(static_cast<int>(m.lanes().size()), 4);
    // Real tracks by device then thread; the phase totals last.
    QCOMPARE(m.lanes()[0].device, std::string("cpu"));
    QCOMPARE(m.lanes()[0].track, 0);
    QCOMPARE(m.lanes()[0].name, std::string("thread 0"));
    QCOMPARE(m.lanes()[1].name, std::string("worker 1"));
    QCOMPARE(m.lanes()[2].device, std::string("cuda:0"));
    QVERIFY(m.lanes()[3].phaseTotals);
    // run / repeat / phases: three levels, each without overlaps.
    const TimelineLane& main = m.lanes()[0];
    QCOMPARE(static_cast<int>(main.levels.size()), 3);
    QCOMPARE(main.levels[0].size(), size_t(1));
    QCOMPARE(main.levels[1].size(), size_t(2));
    QCOMPARE(main.levels[2].size(), size_t(3));
    for (const auto& level : main.levels)
      for (size_t k = 1; k < level.size(); ++k)
        QVERIFY(t.spans[level[k]].startNs >= t.spans[level[k - 1]].startNs + t.spans[level[k - 1]].durationNs);
    QCOMPARE(m.spanAt(0, 2, 250), 4);   // softmax
    QCOMPARE(m.spanAt(0, 2, 800), -1);  // after the second scores
    QCOMPARE(m.spanAt(0, 1, 600), 2);
  }

  void wideSpansAreDrawnAlone() {
    Trace t;
    t.spans = {span("a", 0, 400), span("b", 400, 600)};
    const TimelineModel m(t);
    const auto items = m.visibleItems(0, 0, viewport(0, 1000, 1000));
    QCOMPARE(static_cast<int>(items.size()), 2);
    QCOMPARE(items[0].span, 0);
    QCOMPARE(items[1].span, 1);
    // Outside the window: nothing; half inside: the span.
    QVERIFY(m.visibleItems(0, 0, viewport(2000, 3000, 100)).empty());
    QCOMPARE(static_cast<int>(m.visibleItems(0, 0, viewport(500, 700, 100)).size()), 1);
  }

  // A million 10 ns spans back to back, seen whole on 1000 pixels: boxes stay
  // near the pixel count and together stand for every span.
  void narrowSpansMergeIntoFewBoxes() {
    Trace t;
    const int count = 1000000;
    t.spans.reserve(count);
    for (int k = 0; k < count; ++k) t.spans.push_back(span("tile", int64_t{k} * 10, 10));
    const TimelineModel m(t);
    const auto items = m.visibleItems(0, 0, viewport(0, 1e7, 1000), 3);
    QVERIFY2(items.size() <= 400, qPrintable(QString("%1 boxes").arg(items.size())));
    int64_t covered = 0;
    for (const auto& item : items) {
      covered += item.count;
      QCOMPARE(item.span, item.count == 1 ? item.span : -1);
    }
    QCOMPARE(covered, int64_t(count));
    // Zoomed in to 100 spans on 1000 pixels, each is its own box again.
    const auto close = m.visibleItems(0, 0, viewport(5005, 5995, 1000), 3);
    QCOMPARE(static_cast<int>(close.size()), 100);
    for (const auto& item : close) QCOMPARE(item.count, 1);
  }

  // A wide span after a run of narrow ones keeps its own box.
  void mergingStopsAtAWideSpan() {
    Trace t;
    for (int k = 0; k < 50; ++k) t.spans.push_back(span("tiny", k * 2, 1));
    t.spans.push_back(span("big", 100, 900));
    const TimelineModel m(t);
    const auto items = m.visibleItems(0, 0, viewport(0, 1000, 100), 3);  // 10 ns a pixel
    QVERIFY(items.size() >= 2);
    QCOMPARE(items.back().span, 50);
    int64_t covered = 0;
    for (const auto& item : items) covered += item.count;
    QCOMPARE(covered, int64_t(51));
  }

  void zoomKeepsTheTimeUnderTheCursor() {
    TimelineViewport v = viewport(0, 1000, 100);
    const double before = v.nsAt(25);
    v.zoomAt(25, 0.5);
    QCOMPARE(v.nsAt(25), before);
    QCOMPARE(v.endNs - v.startNs, 500.0);
    v.zoomAt(25, 1e-9, 10);  // never narrower than the minimum
    QCOMPARE(v.endNs - v.startNs, 10.0);
    v = viewport(0, 1000, 100);
    v.panPixels(10);  // dragging right shows earlier times
    QCOMPARE(v.startNs, -100.0);
    v.clampTo(0, 1000);
    QVERIFY(v.startNs >= -51.0 - 1e-9);
  }

  void ticksAndDurations() {
    QCOMPARE(timelineTickStep(1.0, 90), 100.0);     // 1 ns a pixel: ticks every 100 ns
    QCOMPARE(timelineTickStep(1000.0, 90), 1e5);    // 1 µs a pixel
    QCOMPARE(timelineTickStep(3.0, 90), 500.0);
    QCOMPARE(formatNanoseconds(800), std::string("800 ns"));
    QCOMPARE(formatNanoseconds(1250000), std::string("1.25 ms"));
    QCOMPARE(formatNanoseconds(3e9), std::string("3 s"));
  }
};

QTEST_MAIN(TestTimelineModel)
#include "test_timeline_model.moc"
