// What a recurrent variant remembers: memory_slots' slots x width contents as
// a heatmap for a chosen segment (a slider, and Play, replay the writes), the
// slot norms over segments, and the provenance of the slot under the cursor
// over the token axis (which tokens it holds). transformer_xl keeps no slots:
// its attention mass on the cached segment is drawn per segment instead.
#pragma once

#include <QString>
#include <QWidget>
#include <vector>

#include "analysis/memory_trace.hpp"
#include "attention/variant.hpp"

class QChart;
class QChartView;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace attnscope {

class HeatmapView;

// The token axis with one slot's weights over the tokens read so far.
class ProvenanceStrip : public QWidget {
  Q_OBJECT

 public:
  explicit ProvenanceStrip(QWidget* parent = nullptr);
  // weights over tokens [0, weights.size()) (empty: use top), totalTokens: the axis length.
  void setProvenance(int slot, std::vector<float> weights, const SlotProvenance& top, int64_t endToken, int64_t totalTokens);
  void clearSlot(int64_t endToken, int64_t totalTokens, std::vector<double> meanPositions);
  QRect axisRect() const;
  // x of the centre of token t on the axis.
  double tokenX(int64_t t) const;
  static QColor barColor();
  QSize sizeHint() const override { return {480, 84}; }
  QSize minimumSizeHint() const override { return {160, 64}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  int slot_ = -1;
  std::vector<float> weights_;
  SlotProvenance top_;
  std::vector<double> meanPositions_;
  int64_t endToken_ = 0, totalTokens_ = 0;
};

class MemorySlotView : public QWidget {
  Q_OBJECT

 public:
  explicit MemorySlotView(QWidget* parent = nullptr);

  void setMemory(const std::vector<MemorySnapshot>& snapshots, const MemoryTrace& trace, const QString& title = {});
  void clear();
  // Shown instead of the views (a variant without memory, a failure).
  void setMessage(const QString& message);

  int segmentCount() const { return static_cast<int>(snapshots_.size()); }
  int currentSegment() const { return current_; }
  int selectedSlot() const { return slot_; }
  // Slots mode (memory_slots) or the mass-per-segment chart alone (transformer_xl).
  bool showsSlots() const { return !snapshots_.empty(); }
  QString titleText() const;
  QString segmentText() const;

  HeatmapView* slotMap() const { return map_; }
  QSlider* segmentSlider() const { return slider_; }
  QChart* chart() const { return chart_; }
  QChartView* chartView() const { return chartView_; }
  ProvenanceStrip* provenance() const { return strip_; }

  QSize sizeHint() const override { return {520, 620}; }

 public slots:
  void setSegment(int index);
  void selectSlot(int slot);
  void setPlaying(bool playing);

 signals:
  void segmentChanged(int index);
  void slotSelected(int slot);

 private:
  void showSegment();
  void rebuildChart();
  void updateProvenance();

  std::vector<MemorySnapshot> snapshots_;
  MemoryTrace trace_;
  QString title_;
  int current_ = -1, slot_ = -1;
  double scaleMax_ = 0;
  QLabel* titleLabel_;
  HeatmapView* map_;
  QSlider* slider_;
  QToolButton* play_;
  QLabel* segmentLabel_;
  ProvenanceStrip* strip_;
  QChartView* chartView_;
  QChart* chart_;
  QLabel* notes_;
  QTimer* playTimer_;
};

}  // namespace attnscope
