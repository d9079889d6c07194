// The Compare page: one column per checked variant, all on the same Q/K/V,
// in a grid that reflows with the window. The cursor is shared (hovering
// (i, j) in one map draws the crosshair in all and lists every weight), zoom
// is shared (a small enough region is recomputed at full resolution off the
// GUI thread), and the computed-pair mask can be laid over every map.
#pragma once

#include <QTimer>
#include <vector>

#include "heatmap_view.hpp"
#include "job_runner.hpp"
#include "page.hpp"

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QScrollArea;

namespace attnscope {

class CompareColumn;

class ComparePage : public Page {
  Q_OBJECT

 public:
  ComparePage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return QStringLiteral("compare"); }
  QString title() const override { return tr("Compare"); }
  bool hasResults() const override { return hasResults_; }
  // Runs the compare batch of the session as it is.
  void runDefault() override;
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;
  QImage renderImage() const override;

  int columnCount() const { return static_cast<int>(columns_.size()); }
  CompareColumn* column(int index) const;
  int columnsPerRow() const { return perRow_; }
  // The shared cursor's read-out: i, j, both tokens, each variant's weight.
  QLabel* cursorLabel() const { return cursor_; }
  void setMaskVisible(bool visible);
  void setScale(ColorScale scale, bool rowNormalised);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void onCompareStarted(JobId id, const CompareRequest& request);
  void onItem(JobId id, std::shared_ptr<const CompareItem> item);
  void onEnded(JobKind kind, JobId id);
  void onHover(int64_t i, int64_t j);
  void onHoverLeft();
  void onViewRegion(CompareColumn* from, const TokenRegion& region);
  void requestRegion(const TokenRegion& region);
  void startRegion();
  void makeColumns(const std::vector<std::string>& variants);
  void reflow();
  const CompareItem* denseItem() const;

  PageContext context_;
  QComboBox* scaleBox_;
  QCheckBox* maskBox_;
  QLabel* cursor_;
  QScrollArea* scroll_;
  QWidget* gridHost_;
  QGridLayout* grid_;
  std::vector<CompareColumn*> columns_;
  std::vector<std::string> pendingVariants_;  // the running batch's columns, made at its first item
  JobId job_ = 0;
  JobId regionJob_ = 0;
  bool columnsFresh_ = false;
  bool hasResults_ = false;
  bool syncingView_ = false;
  int perRow_ = 1;
  TokenRegion pendingRegion_, lastRegion_;
  QTimer regionTimer_;
};

}  // namespace attnscope
