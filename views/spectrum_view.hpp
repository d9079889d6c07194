// Rank spectrum of a head's effective map: singular values on a log axis,
// cumulative energy on a second axis, the effective ranks, the ranks a
// low-rank variant is built around (k, m) as vertical marks, and, against the
// dense map's own spectrum, the best error any rank-r map can reach
// (Eckart–Young) beside the variant's actual error.
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

#include "analysis/spectrum.hpp"

class QChart;
class QChartView;
class QLabel;

namespace attnscope {

// Eckart–Young: the best rank-r approximation of A keeps its r largest
// singular values, with error sqrt(sum_{i>r} sigma_i^2). errors[r] for
// r = 0 .. sigma.size() is that error relative to ||A||_F = sqrt(totalEnergy);
// the tail beyond the values given counts through totalEnergy (randomized spectra).
std::vector<double> eckartYoungErrors(const std::vector<double>& sigma, double totalEnergy);
// The relative error at rank r; NaN when r is beyond the values known or the energy is 0.
double eckartYoungError(const Spectrum& s, int64_t rank);
// Smallest rank whose best error is at most `error`; -1 when none of the known ranks reaches it.
int64_t rankForError(const Spectrum& s, double error);

class SpectrumView : public QWidget {
  Q_OBJECT

 public:
  explicit SpectrumView(QWidget* parent = nullptr);

  void setSpectrum(const Spectrum& s, const QString& title);
  // The dense map's spectrum and this variant's relative error against dense.
  void setDenseReference(const Spectrum& dense, double variantError);
  void clearDenseReference();
  void clear();
  // Shown instead of a chart (a variant whose spectrum was not computed, a failure).
  void setMessage(const QString& message);

  bool hasSpectrum() const { return spectrum_.has_value(); }
  QChart* chart() const { return chart_; }
  QChartView* chartView() const { return view_; }
  // The effective-rank and Eckart–Young lines under the chart.
  QString summaryText() const;
  QString titleText() const;
  // Widget position of rank index x (1-based) at a fraction f in [0, 1] of the right axis.
  QPointF positionOf(double x, double fraction) const;
  // Widget position of (rank index, singular value) on the log axis.
  QPointF positionOfValue(double x, double sigma) const;
  QStringList legendNames() const;
  // Hover text for rank r (1-based): sigma_r, cumulative energy, the dense bound; empty outside.
  QString describeRank(int64_t r) const;
  static QColor markColor(int index);

  QSize sizeHint() const override { return {520, 380}; }
  QSize minimumSizeHint() const override { return {240, 200}; }

 private:
  void rebuild();
  void updateLegend();

  std::optional<Spectrum> spectrum_;
  std::optional<Spectrum> dense_;
  double variantError_ = -1;
  QString title_;
  QLabel* titleLabel_;
  QChartView* view_;
  QChart* chart_;
  QLabel* legend_;
  QLabel* summary_;
};

}  // namespace attnscope
