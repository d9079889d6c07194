#include "timeline_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

namespace attnscope {

void TimelineViewport::zoomAt(double x, double factor, double minSpanNs) {
  const double anchor = nsAt(x);
  double span = (endNs - startNs) * factor;
  span = std::max(span, minSpanNs);
  const double share = widthPx > 0 ? x / widthPx : 0.5;
  startNs = anchor - share * span;
  endNs = startNs + span;
}

void TimelineViewport::panPixels(double dx) {
  const double shift = dx * nsPerPixel();
  startNs -= shift;
  endNs -= shift;
}

void TimelineViewport::clampTo(double lo, double hi) {
  const double pad = (hi - lo) * 0.05 + 1;
  lo -= pad;
  hi += pad;
  const double span = endNs - startNs;
  if (span >= hi - lo) {
    startNs = lo;
    endNs = hi;
    return;
  }
  if (startNs < lo) {
    startNs = lo;
    endNs = lo + span;
  } else if (endNs > hi) {
    endNs = hi;
    startNs = hi - span;
  }
}

TimelineModel::TimelineModel(const Trace& trace) : trace_(trace) {
  const std::vector<Span>& spans = trace_.spans;
  if (spans.empty()) return;
  firstNs_ = spans.front().startNs;
  lastNs_ = spans.front().startNs + spans.front().durationNs;
  std::map<std::pair<std::string, int>, std::vector<int>> byLane;
  for (size_t s = 0; s < spans.size(); ++s) {
    firstNs_ = std::min(firstNs_, spans[s].startNs);
    lastNs_ = std::max(lastNs_, spans[s].startNs + std::max<int64_t>(spans[s].durationNs, 0));
    byLane[{spans[s].device, spans[s].track}].push_back(static_cast<int>(s));
  }
  // Real tracks first (device, then thread), the synthetic phase-total tracks last.
  std::vector<std::pair<std::pair<std::string, int>, std::vector<int>>> ordered(byLane.begin(), byLane.end());
  std::stable_partition(ordered.begin(), ordered.end(), [](const auto& l) { return l.first.second < kPhaseTotalsTrackBase; });
  for (auto& [key, members] : ordered) {
    TimelineLane lane;
    lane.device = key.first;
    lane.track = key.second;
    lane.phaseTotals = key.second >= kPhaseTotalsTrackBase;
    const auto named = trace_.trackNames.find(key.second);
    lane.name = named != trace_.trackNames.end() ? named->second : "thread " + std::to_string(key.second);
    // Parents before children: earlier start first, the longer of equal starts first.
    std::sort(members.begin(), members.end(), [&](int a, int b) {
      if (spans[a].startNs != spans[b].startNs) return spans[a].startNs < spans[b].startNs;
      return spans[a].durationNs > spans[b].durationNs;
    });
    // A span goes one level below every span still open when it starts; a
    // level's previous span has always ended by then, so levels never overlap.
    std::vector<int64_t> openEnds;
    for (int s : members) {
      const int64_t start = spans[s].startNs;
      const int64_t end = start + std::max<int64_t>(spans[s].durationNs, 0);
      while (!openEnds.empty() && openEnds.back() <= start) openEnds.pop_back();
      // A span that outlives its would-be parent cannot nest in it: start it a level lower anyway (it starts after the parent).
      const size_t level = openEnds.size();
      if (lane.levels.size() <= level) lane.levels.resize(level + 1);
      lane.levels[level].push_back(s);
      openEnds.push_back(end);
    }
    lanes_.push_back(std::move(lane));
  }
}

int TimelineModel::levelCount() const {
  int count = 0;
  for (const TimelineLane& lane : lanes_) count += static_cast<int>(lane.levels.size());
  return count;
}

std::vector<TimelineItem> TimelineModel::visibleItems(int lane, int level, const TimelineViewport& view, double minPx) const {
  std::vector<TimelineItem> items;
  if (lane < 0 || lane >= static_cast<int>(lanes_.size())) return items;
  const auto& levels = lanes_[static_cast<size_t>(lane)].levels;
  if (level < 0 || level >= static_cast<int>(levels.size())) return items;
  const std::vector<int>& ids = levels[static_cast<size_t>(level)];
  const std::vector<Span>& spans = trace_.spans;
  auto endOf = [&](int s) { return spans[s].startNs + std::max<int64_t>(spans[s].durationNs, 0); };
  const double minNs = std::max(minPx, 0.0) * view.nsPerPixel();
  // First span ending inside the window.
  auto it = std::lower_bound(ids.begin(), ids.end(), view.startNs, [&](int s, double t) { return static_cast<double>(endOf(s)) < t; });
  while (it != ids.end() && static_cast<double>(spans[*it].startNs) <= view.endNs) {
    const int s = *it;
    TimelineItem item{spans[s].startNs, endOf(s), s, 1};
    if (static_cast<double>(item.endNs - item.startNs) >= minNs) {
      items.push_back(item);
      ++it;
      continue;
    }
    // A narrow span: swallow every following span that ends within minPx of
    // the box, by binary search, while the box itself stays narrow.
    auto next = it + 1;
    for (;;) {
      const double reach = static_cast<double>(item.endNs) + minNs;
      auto far = std::lower_bound(next, ids.end(), reach, [&](int t, double r) { return static_cast<double>(endOf(t)) < r; });
      if (far != next) {
        item.count += static_cast<int>(far - next);
        item.endNs = endOf(*(far - 1));
        next = far;
      }
      // The next span joins when it starts close and is narrow itself.
      if (next == ids.end()) break;
      const int t = *next;
      const bool close = static_cast<double>(spans[t].startNs - item.endNs) < minNs;
      const bool narrow = static_cast<double>(endOf(t) - spans[t].startNs) < minNs;
      if (!close || !narrow || static_cast<double>(spans[t].startNs) > view.endNs) break;
      item.count += 1;
      item.endNs = endOf(t);
      ++next;
    }
    if (item.count > 1) item.span = -1;
    items.push_back(item);
    it = next;
  }
  return items;
}

int TimelineModel::spanAt(int lane, int level, double tNs) const {
  if (lane < 0 || lane >= static_cast<int>(lanes_.size())) return -1;
  const auto& levels = lanes_[static_cast<size_t>(lane)].levels;
  if (level < 0 || level >= static_cast<int>(levels.size())) return -1;
  const std::vector<int>& ids = levels[static_cast<size_t>(level)];
  const std::vector<Span>& spans = trace_.spans;
  auto it = std::lower_bound(ids.begin(), ids.end(), tNs, [&](int s, double t) { return static_cast<double>(spans[s].startNs + spans[s].durationNs) < t; });
  if (it == ids.end() || static_cast<double>(spans[*it].startNs) > tNs) return -1;
  return *it;
}

double timelineTickStep(double nsPerPixel, double minPx) {
  const double minNs = std::max(nsPerPixel * minPx, 1e-9);
  double step = std::pow(10.0, std::floor(std::log10(minNs)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (step * m >= minNs) return step * m;
  }
  return step * 10;
}

std::string formatNanoseconds(double ns) {
  const double a = std::fabs(ns);
  const char* unit = "ns";
  double v = ns;
  if (a >= 1e9) {
    v = ns / 1e9;
    unit = "s";
  } else if (a >= 1e6) {
    v = ns / 1e6;
    unit = "ms";
  } else if (a >= 1e3) {
    v = ns / 1e3;
    unit = "µs";
  }
  char text[48];
  // Three significant figures, trailing zeros dropped.
  std::snprintf(text, sizeof text, "%.3g %s", v, unit);
  return text;
}

}  // namespace attnscope
