#include "timeline_view.hpp"

#include <QMetaObject>
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include <imgui.h>

#include "metrics_card.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {

ImU32 withAlpha(unsigned rgba, int alpha) { return (rgba & 0x00FFFFFFu) | (static_cast<unsigned>(alpha) << 24); }

}  // namespace

unsigned timelineSpanColor(const Span& span) {
  // Category hues: kernels blue, copies orange, host green, allocations purple.
  int r = 70, g = 130, b = 200;
  switch (span.category) {
    case SpanCategory::Kernel: r = 66, g = 133, b = 214; break;
    case SpanCategory::Memcpy: r = 224, g = 140, b = 52; break;
    case SpanCategory::Host: r = 92, g = 168, b = 96; break;
    case SpanCategory::Alloc: r = 160, g = 100, b = 200; break;
  }
  const double shade = 0.8 + 0.4 * static_cast<double>(std::hash<std::string>{}(span.name) % 101) / 100.0;
  auto clamp = [&](int c) { return static_cast<unsigned>(std::clamp(static_cast<int>(c * shade), 0, 255)); };
  return IM_COL32(clamp(r), clamp(g), clamp(b), 255);
}

TimelineView::TimelineView(QWidget* parent) : ImGuiCanvas(parent) { setMinimumHeight(160); }

void TimelineView::setTrace(const Trace& trace) {
  model_ = TimelineModel(trace);
  selected_ = -1;
  // Host spans and thread names in the window's language (kernel names stay
  // as they are), worked out once per trace: a frame draws thousands of boxes.
  labels_.clear();
  QString glyphs;
  for (const Span& s : model_.trace().spans) glyphs += labels_.text(s.name);
  for (const auto& [track, name] : model_.trace().trackNames) glyphs += labels_.text(name);
  addGlyphs(glyphs);
  fit();
}

void TimelineView::clear() { setTrace(Trace{}); }

void TimelineView::setViewport(double startNs, double endNs) {
  view_.startNs = startNs;
  view_.endNs = std::max(endNs, startNs + 1);
  fitPending_ = false;
  requestFrames();
}

void TimelineView::fit() {
  const double lo = static_cast<double>(model_.firstNs()), hi = static_cast<double>(std::max(model_.lastNs(), model_.firstNs() + 1));
  const double pad = (hi - lo) * 0.02;
  view_.startNs = lo - pad;
  view_.endNs = hi + pad;
  fitPending_ = false;
  requestFrames();
}

void TimelineView::selectSpan(int span) {
  if (span == selected_) return;
  selected_ = span;
  requestFrames();
}

void TimelineView::showSpan(int span) {
  selectSpan(span);
  if (span < 0 || span >= static_cast<int>(model_.trace().spans.size())) return;
  const Span& s = model_.trace().spans[static_cast<size_t>(span)];
  const double start = static_cast<double>(s.startNs), end = start + static_cast<double>(s.durationNs);
  double width = view_.endNs - view_.startNs;
  if (start >= view_.startNs && end <= view_.endNs) return;
  width = std::max(width, (end - start) * 1.2);
  const double middle = (start + end) / 2;
  setViewport(middle - width / 2, middle + width / 2);
}

QRectF TimelineView::levelRect(int lane, int level) const {
  if (lane < 0 || lane >= static_cast<int>(levelRects_.size())) return {};
  const auto& levels = levelRects_[static_cast<size_t>(lane)];
  return level >= 0 && level < static_cast<int>(levels.size()) ? levels[static_cast<size_t>(level)] : QRectF();
}

void TimelineView::drawUi() {
  boxesDrawn_ = 0;
  levelRects_.assign(model_.lanes().size(), {});
  if (model_.empty()) {
    ImGui::TextDisabled("%s", uiText(tr("No trace yet: run a comparison and pick a variant above.")).constData());
    plotRect_ = QRectF();
    return;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // Sizes follow the type (presentation mode enlarges it).
  const float typeScale = ImGui::GetFontSize() / kFontSize;
  const float rowHeight = kRowHeight * std::max(1.0f, typeScale), labelWidth = kLabelWidth * std::max(1.0f, typeScale);
  const float plotX = origin.x + labelWidth, plotW = std::max(10.0f, avail.x - labelWidth);
  view_.widthPx = plotW;
  if (fitPending_) fit();
  drawRuler(plotX, origin.y, plotW);

  // Lanes below the ruler, scrolled vertically when they do not fit.
  const bool memory = !model_.trace().memory.empty();
  const float lanesTop = origin.y + kRulerHeight;
  const float lanesHeight = std::max(20.0f, avail.y - kRulerHeight - (memory ? kMemoryHeight + 6 : 0));
  plotRect_ = QRectF(plotX, lanesTop, plotW, lanesHeight);
  ImGui::SetCursorScreenPos(ImVec2(origin.x, lanesTop));
  ImGui::BeginChild("lanes", ImVec2(avail.x, lanesHeight), false, ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* lanes = ImGui::GetWindowDrawList();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  float y = top.y;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hoverPlot = ImGui::IsWindowHovered() && mouse.x >= plotX && mouse.x < plotX + plotW;
  int hoverSpan = -1;
  TimelineItem hoverItem;
  const std::vector<Span>& spans = model_.trace().spans;
  for (size_t l = 0; l < model_.lanes().size(); ++l) {
    const TimelineLane& lane = model_.lanes()[l];
    const std::string header = lane.device + "  " + labels_.utf8(lane.name) + (lane.phaseTotals ? "  " + uiText(tr("(phase totals)")).toStdString() : std::string());
    lanes->AddText(ImVec2(origin.x + 4, y + 2), lane.phaseTotals ? IM_COL32(150, 150, 150, 255) : IM_COL32(220, 220, 220, 255), header.c_str());
    lanes->AddLine(ImVec2(origin.x, y), ImVec2(plotX + plotW, y), IM_COL32(80, 80, 80, 255));
    for (size_t level = 0; level < lane.levels.size(); ++level) {
      const float rowTop = y + 2 + static_cast<float>(level) * rowHeight;
      levelRects_[l].push_back(QRectF(plotX, rowTop, plotW, rowHeight - 2));
      lanes->PushClipRect(ImVec2(plotX, rowTop), ImVec2(plotX + plotW, rowTop + rowHeight), true);
      for (const TimelineItem& item : model_.visibleItems(static_cast<int>(l), static_cast<int>(level), view_)) {
        const float x0 = plotX + static_cast<float>(view_.xOf(static_cast<double>(item.startNs)));
        const float x1 = std::max(x0 + 1.0f, plotX + static_cast<float>(view_.xOf(static_cast<double>(item.endNs))));
        const ImVec2 a(x0, rowTop), b(x1, rowTop + rowHeight - 2);
        const bool merged = item.span < 0;
        const unsigned fill = merged ? IM_COL32(120, 120, 120, 255) : timelineSpanColor(spans[static_cast<size_t>(item.span)]);
        lanes->AddRectFilled(a, b, withAlpha(fill, lane.phaseTotals ? 150 : 235));
        if (!merged && item.span == selected_) lanes->AddRect(a, b, IM_COL32(255, 255, 255, 255), 0, 0, 2.0f);
        ++boxesDrawn_;
        const std::string text = merged ? std::to_string(item.count) : labels_.utf8(spans[static_cast<size_t>(item.span)].name);
        const ImVec2 size = ImGui::CalcTextSize(text.c_str());
        if (x1 - x0 > size.x + 6) lanes->AddText(ImVec2(std::max(x0, plotX) + 3, rowTop + (rowHeight - 2 - size.y) / 2), IM_COL32(255, 255, 255, 255), text.c_str());
        if (hoverPlot && mouse.y >= rowTop && mouse.y < rowTop + rowHeight - 2 && mouse.x >= x0 && mouse.x < x1) {
          hoverSpan = item.span;
          hoverItem = item;
        }
      }
      lanes->PopClipRect();
    }
    y += std::max<float>(1, static_cast<float>(lane.levels.size())) * rowHeight + 4 + ImGui::GetTextLineHeight();
  }
  ImGui::Dummy(ImVec2(avail.x, y - top.y));
  // The wheel zooms over the plot; over the lane names it scrolls the lanes.
  if (ImGui::IsWindowHovered() && mouse.x < plotX && ImGui::GetIO().MouseWheel != 0.0f)
    ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseWheel * 3 * rowHeight);
  if (hoverPlot && ImGui::IsWindowHovered()) {
    if (hoverItem.count > 1) {
      ImGui::SetTooltip("%s", uiText(tr("%1 spans in %2\nzoom in to tell them apart").arg(hoverItem.count).arg(QString::fromStdString(formatNanoseconds(static_cast<double>(hoverItem.endNs - hoverItem.startNs))))).constData());
    } else if (hoverSpan >= 0) {
      const Span& s = spans[static_cast<size_t>(hoverSpan)];
      QString text = tr("%1\n%2 on %3, track %4\nstart %5, duration %6")
                         .arg(labels_.text(s.name), spanCategoryName(s.category), QString::fromStdString(s.device))
                         .arg(s.track)
                         .arg(QString::fromStdString(formatNanoseconds(static_cast<double>(s.startNs - model_.firstNs()))), QString::fromStdString(formatNanoseconds(static_cast<double>(s.durationNs))));
      if (s.bytes > 0) text += tr("\n%1 moved").arg(formatBytes(static_cast<double>(s.bytes)));
      if (s.flops > 0 && s.durationNs > 0) text += tr("\n%1 GFLOP/s").arg(s.flops / static_cast<double>(s.durationNs), 0, 'f', 1);
      ImGui::SetTooltip("%s", uiText(text).constData());
    }
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && hoverSpan >= 0) {
      selected_ = hoverSpan;
      QMetaObject::invokeMethod(this, [this, hoverSpan] { emit spanSelected(hoverSpan); }, Qt::QueuedConnection);
    }
  }
  ImGui::EndChild();
  if (memory) drawMemory(plotX, lanesTop + lanesHeight + 6, plotW);
  handleInput();
}

void TimelineView::drawRuler(float x0, float y0, float width) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const double step = timelineTickStep(view_.nsPerPixel(), 90);
  const double first = std::ceil((view_.startNs - static_cast<double>(model_.firstNs())) / step) * step;
  draw->AddLine(ImVec2(x0, y0 + kRulerHeight - 1), ImVec2(x0 + width, y0 + kRulerHeight - 1), IM_COL32(110, 110, 110, 255));
  for (double t = first; static_cast<double>(model_.firstNs()) + t <= view_.endNs; t += step) {
    const float x = x0 + static_cast<float>(view_.xOf(static_cast<double>(model_.firstNs()) + t));
    draw->AddLine(ImVec2(x, y0 + kRulerHeight - 7), ImVec2(x, y0 + kRulerHeight - 1), IM_COL32(160, 160, 160, 255));
    draw->AddText(ImVec2(x + 2, y0 + 2), IM_COL32(200, 200, 200, 255), formatNanoseconds(std::abs(t) < step * 1e-6 ? 0.0 : t).c_str());
  }
}

void TimelineView::drawMemory(float x0, float y0, float width) {
  const Trace& trace = model_.trace();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  int64_t peak = trace.peakBytes;
  for (const MemorySample& m : trace.memory) peak = std::max(peak, m.bytes);
  const float h = kMemoryHeight;
  draw->AddRectFilled(ImVec2(x0, y0), ImVec2(x0 + width, y0 + h), IM_COL32(30, 30, 34, 255));
  const float label = kLabelWidth * std::max(1.0f, ImGui::GetFontSize() / kFontSize);
  draw->AddText(ImVec2(x0 - label + 4, y0 + 2), IM_COL32(220, 220, 220, 255), uiText(tr("memory")).constData());
  draw->AddText(ImVec2(x0 - label + 4, y0 + 2 + ImGui::GetTextLineHeight()), IM_COL32(160, 160, 160, 255),
                uiText(tr("peak %1").arg(formatBytes(static_cast<double>(peak)))).constData());
  if (peak <= 0) return;
  draw->PushClipRect(ImVec2(x0, y0), ImVec2(x0 + width, y0 + h), true);
  // A step graph: each sample holds until the next.
  float lastX = x0, lastY = y0 + h;
  for (size_t k = 0; k < trace.memory.size(); ++k) {
    const float x = x0 + static_cast<float>(view_.xOf(static_cast<double>(trace.memory[k].timeNs)));
    const float yv = y0 + h - 2 - (h - 4) * static_cast<float>(static_cast<double>(trace.memory[k].bytes) / static_cast<double>(peak));
    if (k > 0) {
      draw->AddLine(ImVec2(lastX, lastY), ImVec2(x, lastY), IM_COL32(230, 190, 80, 255), 1.5f);
      draw->AddLine(ImVec2(x, lastY), ImVec2(x, yv), IM_COL32(230, 190, 80, 255), 1.5f);
    }
    lastX = x;
    lastY = yv;
  }
  draw->AddLine(ImVec2(lastX, lastY), ImVec2(x0 + width, lastY), IM_COL32(230, 190, 80, 255), 1.5f);
  draw->PopClipRect();
}

void TimelineView::handleInput() {
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mouse = io.MousePos;
  const bool inPlot = plotRect_.contains(QPointF(mouse.x, mouse.y)) || (mouse.y < plotRect_.top() && mouse.y >= plotRect_.top() - kRulerHeight &&
                                                                        mouse.x >= plotRect_.left() && mouse.x < plotRect_.right());
  const double lo = static_cast<double>(model_.firstNs()), hi = static_cast<double>(model_.lastNs());
  if (inPlot && io.MouseWheel != 0.0f) {
    view_.zoomAt(mouse.x - plotRect_.left(), std::pow(0.8, io.MouseWheel));
    view_.clampTo(lo, hi);
  }
  if (inPlot && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f)) {
    view_.panPixels(io.MouseDelta.x);
    view_.clampTo(lo, hi);
  }
  if ((inPlot && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) || (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home))))
    fit();
}

}  // namespace attnscope
