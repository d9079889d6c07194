// The spans of a run's Trace as a sortable table (name, category, device,
// thread, duration, share of the run, bytes, FLOP/s), and below it the totals
// per phase (spans of the same name summed over repeats and threads).
#pragma once

#include <QString>
#include <QWidget>
#include <string>
#include <vector>

#include "profiling/trace.hpp"

class QLabel;
class QTableView;
class QSortFilterProxyModel;

namespace attnscope {

struct PhaseTotal {
  std::string name;
  SpanCategory category = SpanCategory::Host;
  int count = 0;
  int64_t totalNs = 0;
  double share = 0;  // of the run's wall time
  int64_t bytes = 0;
  double flops = 0;
};

// Time of the run: the union of its spans on the real tracks (the per-worker
// phase-total tracks are synthetic and left out; gaps between spans are not counted).
int64_t runDurationNs(const Trace& trace);
// Per span name, longest total first.
std::vector<PhaseTotal> phaseTotals(const Trace& trace);

class SpanTableModel;
class PhaseTableModel;

class SpanTable : public QWidget {
  Q_OBJECT

 signals:
  // The user picked a span's row (its index in the trace).
  void spanSelected(int span);

 public:
  enum Column { Name, Category, Device, Thread, Duration, Share, Bytes, FlopRate, ColumnCount };

  explicit SpanTable(QWidget* parent = nullptr);
  ~SpanTable() override;

  void setTrace(const Trace& trace, const QString& title = {});
  void clear();
  const Trace& trace() const;
  int rowCount() const;
  void sortBy(Column column, Qt::SortOrder order);
  // Text of a cell as shown (sorted order).
  QString cellText(int row, Column column) const;
  QString phaseText(int row, int column) const;  // phase table, columns as its header
  int phaseCount() const;
  // Selects and shows the row of span `span` (its index in the trace); -1 clears.
  void selectSpan(int span);
  // The trace index of the selected span, or -1.
  int selectedSpan() const;
  QTableView* spansView() const { return spans_; }
  QTableView* phasesView() const { return phases_; }

 private:
  QLabel* summary_;
  QTableView* spans_;
  QTableView* phases_;
  SpanTableModel* spanModel_;
  PhaseTableModel* phaseModel_;
  QSortFilterProxyModel* spanProxy_;
  QSortFilterProxyModel* phaseProxy_;
  bool selecting_ = false;  // selectSpan at work: no spanSelected
};

}  // namespace attnscope
