#include "span_table.hpp"
#include "engine_message.hpp"

#include <QAbstractTableModel>
#include <QCoreApplication>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <map>

namespace attnscope {

namespace {

// Messages of this file, written Text::tr("...") so that lupdate finds them.
struct Text {
  Q_DECLARE_TR_FUNCTIONS(attnscope::SpanTable)
};


QString durationText(int64_t ns) {
  if (ns >= 1000000) return Text::tr("%1 ms").arg(static_cast<double>(ns) / 1e6, 0, 'f', 3);
  return Text::tr("%1 µs").arg(static_cast<double>(ns) / 1e3, 0, 'f', 1);
}

QString bytesText(int64_t b) {
  if (b <= 0) return QString();
  const double v = static_cast<double>(b);
  if (v >= 1e9) return Text::tr("%1 GB").arg(v / 1e9, 0, 'f', 2);
  if (v >= 1e6) return Text::tr("%1 MB").arg(v / 1e6, 0, 'f', 2);
  if (v >= 1e3) return Text::tr("%1 kB").arg(v / 1e3, 0, 'f', 1);
  return Text::tr("%1 B").arg(b);
}

QString rateText(double flops, int64_t ns) {
  if (flops <= 0 || ns <= 0) return QString();
  return Text::tr("%1 GFLOP/s").arg(flops / static_cast<double>(ns), 0, 'f', 2);  // flops per ns = GFLOP/s
}

QString shareText(double share) { return QString("%1 %").arg(100 * share, 0, 'f', 1); }

QString trackName(const Trace& t, int track, EngineMessageCache& names) {
  const auto it = t.trackNames.find(track);
  if (it != t.trackNames.end()) return names.text(it->second);
  return Text::tr("thread %1").arg(track);
}

}  // namespace

int64_t runDurationNs(const Trace& trace) {
  // Union of the span intervals: a batch's shared preparation can sit long
  // before a variant's repeats, and that gap is not part of its run.
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (const Span& s : trace.spans)
    if (s.track < kPhaseTotalsTrackBase && s.durationNs > 0) spans.emplace_back(s.startNs, s.startNs + s.durationNs);
  std::sort(spans.begin(), spans.end());
  int64_t total = 0, end = std::numeric_limits<int64_t>::min();
  for (const auto& [a, b] : spans) {
    if (b <= end) continue;
    total += b - std::max(a, end);
    end = b;
  }
  return total;
}

std::vector<PhaseTotal> phaseTotals(const Trace& trace) {
  std::map<std::string, PhaseTotal> byName;
  for (const Span& s : trace.spans) {
    PhaseTotal& p = byName[s.name];
    p.name = s.name;
    p.category = s.category;
    ++p.count;
    p.totalNs += s.durationNs;
    p.bytes += s.bytes;
    p.flops += s.flops;
  }
  const double run = static_cast<double>(runDurationNs(trace));
  std::vector<PhaseTotal> out;
  for (auto& [name, p] : byName) {
    p.share = run > 0 ? static_cast<double>(p.totalNs) / run : 0;
    out.push_back(p);
  }
  std::stable_sort(out.begin(), out.end(), [](const PhaseTotal& a, const PhaseTotal& b) { return a.totalNs > b.totalNs; });
  return out;
}

// Display text in DisplayRole, the raw number in UserRole (what sorting compares).
class SpanTableModel : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;
  void setTrace(const Trace& t) {
    beginResetModel();
    trace_ = t;
    run_ = runDurationNs(t);
    names_.clear();
    endResetModel();
  }
  const Trace& trace() const { return trace_; }
  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : static_cast<int>(trace_.spans.size()); }
  int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : SpanTable::ColumnCount; }
  QVariant headerData(int section, Qt::Orientation o, int role) const override {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
      case SpanTable::Name: return Text::tr("Name");
      case SpanTable::Category: return Text::tr("Category");
      case SpanTable::Device: return Text::tr("Device");
      case SpanTable::Thread: return Text::tr("Thread");
      case SpanTable::Duration: return Text::tr("Duration");
      case SpanTable::Share: return Text::tr("Share of run");
      case SpanTable::Bytes: return Text::tr("Bytes");
      case SpanTable::FlopRate: return Text::tr("FLOP/s");
    }
    return {};
  }
  QVariant data(const QModelIndex& index, int role) const override {
    if (!index.isValid()) return {};
    const Span& s = trace_.spans[static_cast<size_t>(index.row())];
    const double share = run_ > 0 ? static_cast<double>(s.durationNs) / static_cast<double>(run_) : 0;
    const double rate = s.durationNs > 0 ? s.flops / static_cast<double>(s.durationNs) : 0;
    if (role == Qt::TextAlignmentRole)
      return index.column() >= SpanTable::Duration ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    if (role == Qt::UserRole) {
      switch (index.column()) {
        case SpanTable::Name: return names_.text(s.name);  // sorting asks for it at every comparison
        case SpanTable::Category: return QString(spanCategoryName(s.category));
        case SpanTable::Device: return QString::fromStdString(s.device);
        case SpanTable::Thread: return s.track;
        case SpanTable::Duration: return static_cast<qlonglong>(s.durationNs);
        case SpanTable::Share: return share;
        case SpanTable::Bytes: return static_cast<qlonglong>(s.bytes);
        case SpanTable::FlopRate: return rate;
      }
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
      switch (index.column()) {
        case SpanTable::Name: return names_.text(s.name);
        case SpanTable::Category: return QString(spanCategoryName(s.category));
        case SpanTable::Device: return QString::fromStdString(s.device);
        case SpanTable::Thread: return trackName(trace_, s.track, names_);
        case SpanTable::Duration: return durationText(s.durationNs);
        case SpanTable::Share: return shareText(share);
        case SpanTable::Bytes: return bytesText(s.bytes);
        case SpanTable::FlopRate: return rateText(s.flops, s.durationNs);
      }
    }
    return {};
  }

 private:
  Trace trace_;
  int64_t run_ = 0;
  mutable EngineMessageCache names_;  // span and thread names as shown
};

class PhaseTableModel : public QAbstractTableModel {
 public:
  enum Column { Name, Category, Count, Total, Share, Bytes, FlopRate, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;
  void setTrace(const Trace& t) {
    beginResetModel();
    rows_ = phaseTotals(t);
    endResetModel();
  }
  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }
  int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
  QVariant headerData(int section, Qt::Orientation o, int role) const override {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[] = {QT_TRANSLATE_NOOP("attnscope::SpanTable", "Phase"),        QT_TRANSLATE_NOOP("attnscope::SpanTable", "Category"),
                                  QT_TRANSLATE_NOOP("attnscope::SpanTable", "Spans"),        QT_TRANSLATE_NOOP("attnscope::SpanTable", "Total"),
                                  QT_TRANSLATE_NOOP("attnscope::SpanTable", "Share of run"), QT_TRANSLATE_NOOP("attnscope::SpanTable", "Bytes"),
                                  QT_TRANSLATE_NOOP("attnscope::SpanTable", "FLOP/s")};
    return section >= 0 && section < ColumnCount ? QCoreApplication::translate("attnscope::SpanTable", names[section]) : QVariant();
  }
  QVariant data(const QModelIndex& index, int role) const override {
    if (!index.isValid()) return {};
    const PhaseTotal& p = rows_[static_cast<size_t>(index.row())];
    if (role == Qt::TextAlignmentRole)
      return index.column() >= Count ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    const bool raw = role == Qt::UserRole;
    if (!raw && role != Qt::DisplayRole) return {};
    switch (index.column()) {
      case Name: return engineMessage(p.name);
      case Category: return QString(spanCategoryName(p.category));
      case Count: return p.count;
      case Total: return raw ? QVariant(static_cast<qlonglong>(p.totalNs)) : QVariant(durationText(p.totalNs));
      case Share: return raw ? QVariant(p.share) : QVariant(shareText(p.share));
      case Bytes: return raw ? QVariant(static_cast<qlonglong>(p.bytes)) : QVariant(bytesText(p.bytes));
      case FlopRate:
        return raw ? QVariant(p.totalNs > 0 ? p.flops / static_cast<double>(p.totalNs) : 0.0) : QVariant(rateText(p.flops, p.totalNs));
    }
    return {};
  }

 private:
  std::vector<PhaseTotal> rows_;
};

namespace {

QTableView* makeTable(QWidget* parent, QSortFilterProxyModel* proxy) {
  auto* view = new QTableView(parent);
  proxy->setSortRole(Qt::UserRole);
  view->setModel(proxy);
  view->setSortingEnabled(true);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setAlternatingRowColors(true);
  view->verticalHeader()->hide();
  view->horizontalHeader()->setStretchLastSection(true);
  view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  return view;
}

}  // namespace

SpanTable::SpanTable(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  summary_ = new QLabel(tr("No trace yet: run a comparison."), this);
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  auto* split = new QSplitter(Qt::Vertical, this);
  spanModel_ = new SpanTableModel(this);
  phaseModel_ = new PhaseTableModel(this);
  spanProxy_ = new QSortFilterProxyModel(this);
  spanProxy_->setSourceModel(spanModel_);
  phaseProxy_ = new QSortFilterProxyModel(this);
  phaseProxy_->setSourceModel(phaseModel_);
  auto* top = new QWidget(split);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addWidget(new QLabel(tr("Spans"), top));
  spans_ = makeTable(top, spanProxy_);
  topLayout->addWidget(spans_);
  auto* bottom = new QWidget(split);
  auto* bottomLayout = new QVBoxLayout(bottom);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  bottomLayout->addWidget(new QLabel(tr("Totals per phase"), bottom));
  phases_ = makeTable(bottom, phaseProxy_);
  bottomLayout->addWidget(phases_);
  split->addWidget(top);
  split->addWidget(bottom);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  sortBy(Duration, Qt::DescendingOrder);
  phases_->sortByColumn(PhaseTableModel::Total, Qt::DescendingOrder);
  connect(spans_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (current.isValid() && !selecting_) emit spanSelected(spanProxy_->mapToSource(current).row());
  });
}

void SpanTable::selectSpan(int span) {
  selecting_ = true;
  if (span < 0 || span >= spanModel_->rowCount()) {
    spans_->clearSelection();
  } else {
    const QModelIndex index = spanProxy_->mapFromSource(spanModel_->index(span, 0));
    spans_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    spans_->scrollTo(index);
  }
  selecting_ = false;
}

int SpanTable::selectedSpan() const {
  const QModelIndex current = spans_->selectionModel()->currentIndex();
  return current.isValid() && spans_->selectionModel()->isRowSelected(current.row(), {}) ? spanProxy_->mapToSource(current).row() : -1;
}

SpanTable::~SpanTable() = default;

void SpanTable::setTrace(const Trace& trace, const QString& title) {
  spanModel_->setTrace(trace);
  phaseModel_->setTrace(trace);
  const int64_t run = runDurationNs(trace);
  QString text = tr("%n span(s) covering %1, peak tracked memory %2", nullptr, static_cast<int>(trace.spans.size()))
                     .arg(durationText(run), bytesText(trace.peakBytes).isEmpty() ? QString("0 B") : bytesText(trace.peakBytes));
  if (!title.isEmpty()) text = title + " — " + text;
  summary_->setText(text);
  spans_->resizeColumnsToContents();
  phases_->resizeColumnsToContents();
}

void SpanTable::clear() {
  setTrace(Trace{});
  summary_->setText(tr("No trace yet: run a comparison."));
}

const Trace& SpanTable::trace() const { return spanModel_->trace(); }
int SpanTable::rowCount() const { return spanProxy_->rowCount(); }
int SpanTable::phaseCount() const { return phaseProxy_->rowCount(); }

void SpanTable::sortBy(Column column, Qt::SortOrder order) { spans_->sortByColumn(column, order); }

QString SpanTable::cellText(int row, Column column) const { return spanProxy_->index(row, column).data(Qt::DisplayRole).toString(); }
QString SpanTable::phaseText(int row, int column) const { return phaseProxy_->index(row, column).data(Qt::DisplayRole).toString(); }

}  // namespace attnscope
