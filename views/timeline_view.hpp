// A run's Trace on a timeline (ImGui canvas): one lane per device and thread,
// nested spans on levels below their parents, coloured by category, the
// tracked memory as a graph underneath. Wheel zooms about the cursor, drag
// pans, double-click (or Home) fits, hover tells a span's name, times, bytes
// and rate, click selects. Spans too narrow to tell apart are merged into
// one box that counts them (TimelineModel), so big traces stay smooth.
#pragma once


#include <QRectF>
#include <QString>
#include <vector>

#include "engine_message.hpp"
#include "imgui_canvas.hpp"
#include "timeline_model.hpp"

namespace attnscope {

class TimelineView : public ImGuiCanvas {
  Q_OBJECT

 public:
  explicit TimelineView(QWidget* parent = nullptr);

  void setTrace(const Trace& trace);  // fits the whole trace in view
  void clear();
  const TimelineModel& model() const { return model_; }
  const TimelineViewport& viewport() const { return view_; }
  void setViewport(double startNs, double endNs);
  void fit();
  int selectedSpan() const { return selected_; }
  void selectSpan(int span);
  // Selects a span and, when it is outside the view, centres the view on it (zoom kept unless it is wider).
  void showSpan(int span);
  // Geometry of the last frame, in widget pixels: the plot area, and the band of a lane's level.
  QRectF plotRect() const { return plotRect_; }
  QRectF levelRect(int lane, int level) const;
  // Boxes drawn in the last frame (for tests: merging keeps this near the pixel count).
  int boxesDrawn() const { return boxesDrawn_; }

  static constexpr float kLabelWidth = 150.0f;
  static constexpr float kRulerHeight = 22.0f;
  static constexpr float kRowHeight = 18.0f;
  static constexpr float kMemoryHeight = 56.0f;

 signals:
  void spanSelected(int span);

 protected:
  void drawUi() override;

 private:
  // Span and thread names as shown (engineMessage), worked out once per trace.
  EngineMessageCache labels_;
  void drawRuler(float x0, float y0, float width);
  void drawMemory(float x0, float y0, float width);
  void handleInput();

  TimelineModel model_;
  TimelineViewport view_;
  int selected_ = -1;
  int boxesDrawn_ = 0;
  bool fitPending_ = true;
  QRectF plotRect_;
  std::vector<std::vector<QRectF>> levelRects_;  // [lane][level]
};

// The fill colour of a span: its category's hue, shaded by a hash of its name
// so neighbouring phases differ. RGBA, 8 bits each, alpha in the top byte.
unsigned timelineSpanColor(const Span& span);

}  // namespace attnscope
