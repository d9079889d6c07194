// Trade-off page: one integer parameter of the checked variants (window,
// globals, random blocks, k, features, memory, segment, topk, ...) swept over
// a range at one n on the current input; one curve per variant of error
// against dense or attention recall, against time and against memory. This is how a user picks a
// window or a number of global tokens for their data.
#pragma once

#include <QString>
#include <string>
#include <vector>

#include "job_runner.hpp"
#include "page.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace attnscope {

class TradeoffChart;

// An integer parameter offered for the sweep, and the checked variants that have it.
struct TradeoffParameter {
  std::string name;
  std::vector<std::string> variants;
  int64_t min = 0, max = 0, defaultValue = 0;
  std::string help, unit;
};

// Integer parameters of the given variants, in the order the variants list them.
std::vector<TradeoffParameter> tradeoffParameters(const std::vector<std::string>& variants);
// Doubling values around the default, inside the parameter's range: "16,32,64,128,256".
std::string defaultTradeoffValues(const TradeoffParameter& p);

class TradeoffPage : public Page {
  Q_OBJECT

 public:
  TradeoffPage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return "tradeoff"; }
  QString title() const override { return tr("Trade-off"); }
  bool hasResults() const override { return finished_; }
  void runDefault() override { startSweep(); }
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;

  // Throws Error(InvalidArgument) when no parameter can be swept or the values are bad.
  SweepSpec sweepSpec() const;
  TradeoffChart* chart() const { return chart_; }
  QComboBox* parameterBox() const { return parameter_; }
  QLineEdit* valuesEdit() const { return values_; }
  QSpinBox* lengthBox() const { return n_; }
  QComboBox* metricBox() const { return metric_; }
  bool selectParameter(const QString& name);

 public slots:
  void startSweep();
  void cancelSweep();
  void refreshParameters();

 private:
  void onJobEnded(JobKind kind, JobId id, bool cancelled, const QString& error);
  void setRunning(bool running);

  PageContext context_;
  JobId job_ = 0;
  bool finished_ = false;
  std::string sweptName_;
  std::vector<TradeoffParameter> params_;
  QComboBox* parameter_;
  QLineEdit* values_;
  QSpinBox* n_;
  QComboBox* metric_;
  QPushButton* run_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  TradeoffChart* chart_;
};

Page* makeTradeoffPage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
