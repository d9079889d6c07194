// Side-by-side maps: one panel per variant, each a heatmap with a caption
// (time, memory, error). Panels fill in as results arrive.
#pragma once

#include <QWidget>
#include <string>
#include <vector>

#include "heatmap_data.hpp"

class QGridLayout;
class QLabel;

namespace attnscope {

class HeatmapView;

class CompareGrid : public QWidget {
  Q_OBJECT

 public:
  explicit CompareGrid(QWidget* parent = nullptr);

  // Resets to one empty panel per title (up to maxColumns per row).
  void setPanels(const std::vector<std::string>& titles);
  void setMap(int index, HeatmapData data);
  void setCaption(int index, const QString& caption);
  int panelCount() const { return static_cast<int>(views_.size()); }
  HeatmapView* view(int index) const;
  QLabel* caption(int index) const;

  static constexpr int maxColumns = 3;

 signals:
  void hovered(const QString& description);

 private:
  QGridLayout* grid_;
  std::vector<HeatmapView*> views_;
  std::vector<QLabel*> captions_;
};

}  // namespace attnscope
