// A compact card of one run's numbers: time and spread, peak memory, GFLOP/s,
// the share of pairs computed, and, against dense on the same Q, K, V, the
// output error, KL, entropy, attention distance, mass on global tokens and on
// memory, and attention recall. Each number carries its unit and a tooltip
// saying what it means; a failed run shows its reason instead.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstdint>

#include "analysis/analysis_run.hpp"
#include "experiment/run.hpp"

class QGridLayout;
class QLabel;

namespace attnscope {

// Human units, locale-independent ("1.23 ms", "512 KiB", "3.4 GFLOP/s").
QString formatDuration(double ms);
QString formatBytes(double bytes);
QString formatGflops(double gflops);
QString formatPercent(double fraction);  // 0.123 -> "12.3%"
QString formatNumber(double v, int digits = 3);

class MetricsCard : public QWidget {
  Q_OBJECT

 public:
  explicit MetricsCard(QWidget* parent = nullptr);

  // analysis may be null (no metrics against dense were computed).
  void setRun(const RunResult& run, const AnalysisResult* analysis);
  void setError(const QString& reason);
  void clear();

  bool hasError() const { return error_; }
  QString errorText() const;
  // Row keys in order: time, spread, workspace, total_memory, gflops, pairs,
  // output_error, kl, entropy, distance, global_mass, memory_mass, recall.
  QStringList keys() const { return keys_; }
  // The shown value and its tooltip for a key (empty when the row is absent).
  QString valueText(const QString& key) const;
  QString valueToolTip(const QString& key) const;

  QSize sizeHint() const override;

 private:
  void addRow(const QString& key, const QString& name, const QString& value, const QString& meaning);
  void addSection(const QString& name);
  void reset();

  QGridLayout* grid_;
  QLabel* message_;
  QStringList keys_;
  bool error_ = false;
  int row_ = 0;
};

}  // namespace attnscope
