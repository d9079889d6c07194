// Scaling page: a sweep of the checked variants over lengths (time and memory
// against n, log-log, filled point by point), with progress and a Cancel that
// keeps the finished points; below it the field's comparison table (family,
// complexity, what each suits and loses) filled with the exponents and errors
// measured on the user's input.
#pragma once

#include <QString>
#include <vector>

#include "job_runner.hpp"
#include "page.hpp"

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace attnscope {

class ScalingChart;

class ScalingPage : public Page {
  Q_OBJECT

 public:
  ScalingPage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return "scaling"; }
  QString title() const override { return tr("Scaling"); }
  bool hasResults() const override { return finished_; }
  void runDefault() override { startSweep(); }
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;

  // The sweep the page would start now (checked variants, their parameters, the lengths).
  SweepSpec sweepSpec() const;
  ScalingChart* chart() const { return chart_; }
  QTableWidget* table() const { return table_; }
  QLineEdit* lengthsEdit() const { return lengths_; }
  QPushButton* cancelButton() const { return cancel_; }
  bool running() const { return job_ != 0; }
  const std::vector<SweepPoint>& points() const { return points_; }
  // Writes the last sweep as CSV (.csv) or JSON (otherwise), as the CLI does; false with a reason.
  bool exportResults(const QString& path, QString* error) const;

 public slots:
  void startSweep();
  void cancelSweep();
  void chooseExportPath();

 private:
  void onPoint(JobId id, const SweepPoint& point);
  void onProgress(JobId id, const SweepProgress& progress);
  void onFinished(JobId id, std::shared_ptr<const SweepResult> result);
  void onJobEnded(JobKind kind, JobId id, bool cancelled, const QString& error);
  void fillTable(const std::vector<SweepSeries>& series);
  void setRunning(bool running);

  PageContext context_;
  JobId job_ = 0;
  bool finished_ = false;
  std::vector<SweepPoint> points_;
  SweepSpec spec_;
  std::shared_ptr<const SweepResult> result_;
  QLineEdit* lengths_;
  QSpinBox* repeats_;
  QCheckBox* error_;
  QPushButton* run_;
  QPushButton* cancel_;
  QPushButton* export_;
  QProgressBar* progress_;
  QLabel* status_;
  ScalingChart* chart_;
  QTableWidget* table_;
};

Page* makeScalingPage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
