// One column of the Compare page: a variant's map of the selected head, its
// spectrum, its memory slots (where it keeps any) and its metrics card, or the
// reason it failed.
#pragma once

#include <QFrame>
#include <memory>
#include <string>

#include "job_runner.hpp"

class QLabel;

namespace attnscope {

class HeatmapView;
class SpectrumView;
class MemorySlotView;
class MetricsCard;

class CompareColumn : public QFrame {
  Q_OBJECT

 public:
  explicit CompareColumn(const std::string& variant, QWidget* parent = nullptr);

  const std::string& variant() const { return variant_; }
  // Waiting for this column's result (the previous one stays visible).
  void setPending();
  void setItem(std::shared_ptr<const CompareItem> item, const CompareItem* dense);
  // A recomputed region of the map (zoom), and back to the batch's whole map.
  void setRegion(const AnalysisResult& region);
  void showBatchMap();
  std::shared_ptr<const CompareItem> item() const { return item_; }
  bool done() const { return done_; }
  bool failed() const { return item_ && !item_->error.isEmpty(); }

  HeatmapView* map() const { return map_; }
  SpectrumView* spectrum() const { return spectrum_; }
  MemorySlotView* memory() const { return memory_; }
  MetricsCard* card() const { return card_; }
  QLabel* errorLabel() const { return error_; }

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  std::string variant_;
  std::shared_ptr<const CompareItem> item_;
  bool done_ = false;
  QLabel* header_;
  QLabel* error_;
  HeatmapView* map_;
  SpectrumView* spectrum_;
  MemorySlotView* memory_;
  MetricsCard* card_;
};

// The map's title: variant, head, region, exact or pooled.
QString mapTitle(const std::string& variant, const MapGrid& grid, int64_t n);

}  // namespace attnscope
