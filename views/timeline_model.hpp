// What the timeline draws, worked out without drawing: a Trace's spans in
// lanes (one per device and thread), nested spans on levels below their
// parents, and for a time window at a zoom the boxes worth drawing. Spans
// narrower than a few pixels are merged into one box that counts them (as a
// frame profiler does), found by binary search, so a frame costs about one
// step per pixel per level, not one per span: big traces stay smooth.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profiling/trace.hpp"

namespace attnscope {

struct TimelineLane {
  std::string device;
  int track = 0;
  std::string name;     // the track's name, "thread N" when unnamed
  bool phaseTotals = false;  // a synthetic per-worker phase-total track
  // Span indices per nesting level, each level sorted by start; spans on one
  // level never overlap, so their ends are sorted too.
  std::vector<std::vector<int>> levels;
};

// One box to draw: a span, or a run of spans too narrow to tell apart.
struct TimelineItem {
  int64_t startNs = 0, endNs = 0;
  int span = -1;   // the span's index when the box is one span, else -1
  int count = 0;   // spans the box stands for
};

// The time window shown, in nanoseconds on the trace's clock.
struct TimelineViewport {
  double startNs = 0, endNs = 1;
  double widthPx = 1;
  double nsPerPixel() const { return (endNs - startNs) / widthPx; }
  double xOf(double ns) const { return (ns - startNs) / nsPerPixel(); }
  double nsAt(double x) const { return startNs + x * nsPerPixel(); }
  // factor < 1 zooms in, keeping the time under x where it is; never narrower than minSpanNs.
  void zoomAt(double x, double factor, double minSpanNs = 10);
  void panPixels(double dx);
  // Keeps the window inside [lo, hi] (padded a little) where it fits.
  void clampTo(double lo, double hi);
};

class TimelineModel {
 public:
  TimelineModel() = default;
  explicit TimelineModel(const Trace& trace);

  const Trace& trace() const { return trace_; }
  const std::vector<TimelineLane>& lanes() const { return lanes_; }
  int64_t firstNs() const { return firstNs_; }
  int64_t lastNs() const { return lastNs_; }
  bool empty() const { return trace_.spans.empty(); }
  int levelCount() const;  // summed over lanes

  // Boxes of one level inside the viewport. Spans under minPx wide are merged
  // with their neighbours while the gap between them stays under minPx.
  std::vector<TimelineItem> visibleItems(int lane, int level, const TimelineViewport& view, double minPx = 3) const;
  // The span on a level that covers time t, or -1.
  int spanAt(int lane, int level, double tNs) const;

 private:
  Trace trace_;
  std::vector<TimelineLane> lanes_;
  int64_t firstNs_ = 0, lastNs_ = 0;
};

// A tick step of 1, 2 or 5 times a power of ten, at least minPx apart at this zoom.
double timelineTickStep(double nsPerPixel, double minPx);
// "1.25 ms", "800 ns", "3 s": a duration in the unit that suits it.
std::string formatNanoseconds(double ns);

}  // namespace attnscope
