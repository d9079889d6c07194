// Profile page: the spans of the last compare batch's run (one variant at a
// time, the first by default) as a sortable table with totals per phase, the
// same trace on a timeline (ImGui canvas: lanes per thread, nesting, memory),
// and Export trace as Chrome JSON (Perfetto, chrome://tracing).
#pragma once

#include <QString>
#include <memory>
#include <vector>

#include "job_runner.hpp"
#include "page.hpp"

class QComboBox;
class QLabel;
class QPushButton;

namespace attnscope {

class SpanTable;
class TimelineView;

class ProfilePage : public Page {
  Q_OBJECT

 public:
  ProfilePage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return "profile"; }
  QString title() const override { return tr("Profile"); }
  bool hasResults() const override { return shown_ >= 0; }
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;

  SpanTable* table() const { return table_; }
  TimelineView* timeline() const { return timeline_; }
  QComboBox* itemBox() const { return items_; }
  // Shows the trace of a batch item by its index in the batch.
  bool showItem(int index);
  // Writes the shown trace as Chrome JSON; false with a reason.
  bool exportTrace(const QString& path, QString* error) const;
  // Adds one item of a batch (what the runner's compareItem delivers); a new job id starts a new batch.
  void addItem(JobId id, std::shared_ptr<const CompareItem> item);

 public slots:
  void chooseExportPath();

 private:
  PageContext context_;
  JobId batch_ = 0;
  std::vector<std::shared_ptr<const CompareItem>> batchItems_;
  int shown_ = -1;        // index into batchItems_
  QString wantVariant_;   // restored selection: shown when it arrives
  QComboBox* items_;
  QPushButton* export_;
  QLabel* status_;
  SpanTable* table_;
  TimelineView* timeline_;
};

Page* makeProfilePage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
