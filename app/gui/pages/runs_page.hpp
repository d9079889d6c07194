// Runs page: the session's run history; pick any two runs (and, in a compare
// batch, a variant of each) to see their metrics side by side with the
// difference, and their maps with the map of A1 - A2 when the grids match.
#pragma once

#include <QString>
#include <optional>
#include <vector>

#include "heatmap_data.hpp"
#include "page.hpp"
#include "run_history.hpp"

class QComboBox;
class QLabel;
class QTableWidget;

namespace attnscope {

class HeatmapView;

// One line of the side-by-side table: a number where there is one (so the
// difference can be shown), else text.
struct RunMetric {
  QString name;
  std::optional<double> value;
  QString text;
};

// The metrics of one item of a compare run, or of every series of a sweep run (item ignored).
std::vector<RunMetric> runMetrics(const RunRecord& run, int item);
// A1 - A2 on the grid the two share (cell means of pooled maps); rows = 0 with
// the reason in *why when the regions or resolutions differ.
HeatmapData mapDifference(const MapGrid& a, const MapGrid& b, QString* why);

class RunsPage : public Page {
  Q_OBJECT

 public:
  RunsPage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return "runs"; }
  QString title() const override { return tr("Runs"); }
  bool hasResults() const override { return compared_; }  // two finished runs compared
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;

  RunHistory* history() const { return history_; }
  // Compares run numbers a and b (items by batch index); false when either is unknown.
  bool compare(int runA, int itemA, int runB, int itemB);
  QTableWidget* table() const { return table_; }
  HeatmapView* mapView(int which) const { return maps_[which]; }  // 0: A, 1: B, 2: A - B
  QString diffNote() const;

 public slots:
  void refreshRuns();

 private:
  void fillItems(int side);
  void compareSelected();
  bool showPair(int runA, int itemA, int runB, int itemB);

  PageContext context_;
  RunHistory* history_;
  bool compared_ = false;
  bool chosen_ = false;  // the user (or a session) picked the pair; until then the latest two are shown
  QComboBox* run_[2];
  QComboBox* item_[2];
  QTableWidget* table_;
  HeatmapView* maps_[3];
  QLabel* note_;
};

Page* makeRunsPage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
