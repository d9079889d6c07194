#include "scaling_page.hpp"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QSaveFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "engine_text.hpp"
#include "experiment/sweep_export.hpp"
#include "scaling_chart.hpp"
#include "session_model.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {

// The field's usual grouping (DESIGN §3), in the order the table lists it.
int familyRank(const std::string& family) {
  static const char* order[] = {"exact", "sparse", "low-rank", "recurrent", "hierarchical", "dynamic"};
  for (int i = 0; i < 6; ++i)
    if (family == order[i]) return i;
  return 6;
}

QString familyTitle(const std::string& family) {
  if (family == "exact") return ScalingPage::tr("exact");
  if (family == "sparse") return ScalingPage::tr("sparse");
  if (family == "low-rank") return ScalingPage::tr("low-rank");
  if (family == "recurrent") return ScalingPage::tr("recurrent / memory");
  if (family == "hierarchical") return ScalingPage::tr("hierarchical");
  if (family == "dynamic") return ScalingPage::tr("dynamic sparse");
  return QString::fromStdString(family);
}

// Theory next to what was measured, then what each suits and loses.
enum TableColumn { ColFamily, ColVariant, ColTime, ColTimeExp, ColMemory, ColMemExp, ColError, ColSuits, ColLoses, ColCount };

// Only the parameters a user changed: defaults stay out of the series names.
std::vector<ParamAxis> fixedParams(const SessionState& state) {
  std::vector<ParamAxis> axes;
  for (size_t i = 0; i < state.variants.size() && i < state.variantSpecs.size(); ++i) {
    const AttentionSpec defaults = makeSpec(state.variants[i]);
    const auto chosen = state.variantSpecs[i].params.describe();
    const auto plain = defaults.params.describe();
    for (size_t k = 0; k < chosen.size(); ++k)
      if (k >= plain.size() || chosen[k].second != plain[k].second) axes.push_back({state.variants[i], chosen[k].first, {chosen[k].second}});
  }
  return axes;
}

}  // namespace

ScalingPage::ScalingPage(const PageContext& context, QWidget* parent) : Page(parent), context_(context) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Lengths"), this));
  lengths_ = new QLineEdit("512:16384", this);
  lengths_->setToolTip(tr("FROM:TO (doubling), FROM:TO:xF, FROM:TO:+S or N1,N2,..."));
  lengths_->setMaximumWidth(180);
  controls->addWidget(lengths_);
  controls->addWidget(new QLabel(tr("Repeats"), this));
  repeats_ = new QSpinBox(this);
  repeats_->setRange(1, 50);
  repeats_->setValue(3);
  controls->addWidget(repeats_);
  error_ = new QCheckBox(tr("Error against dense"), this);
  error_->setChecked(true);
  error_->setToolTip(tr("Runs dense at each length as the reference (up to n = 16384)"));
  controls->addWidget(error_);
  run_ = new QPushButton(tr("Run sweep"), this);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  export_ = new QPushButton(tr("Export…"), this);
  export_->setToolTip(tr("The sweep's points, fits and spec as CSV or JSON (the same files as attnscope-cli sweep)"));
  export_->setEnabled(false);
  controls->addWidget(run_);
  controls->addWidget(cancel_);
  controls->addWidget(export_);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  controls->addWidget(progress_, 1);
  layout->addLayout(controls);
  status_ = new QLabel(tr("Time and memory against n for the checked variants: press Run sweep."), this);
  status_->setWordWrap(true);
  layout->addWidget(status_);

  auto* split = new QSplitter(Qt::Vertical, this);
  chart_ = new ScalingChart(split);
  table_ = new QTableWidget(0, ColCount, split);
  table_->setHorizontalHeaderLabels({tr("Family"), tr("Variant"), tr("Time"), tr("Measured time"), tr("Memory"), tr("Measured memory"),
                                     tr("Error vs dense"), tr("Suits"), tr("Loses")});
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setWordWrap(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  split->addWidget(chart_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  fillTable({});

  connect(run_, &QPushButton::clicked, this, &ScalingPage::startSweep);
  connect(cancel_, &QPushButton::clicked, this, &ScalingPage::cancelSweep);
  connect(export_, &QPushButton::clicked, this, &ScalingPage::chooseExportPath);
  connect(chart_, &ScalingChart::hovered, this, &Page::message);
  if (JobRunner* r = context_.runner) {
    connect(r, &JobRunner::sweepPoint, this, &ScalingPage::onPoint);
    connect(r, &JobRunner::sweepProgress, this, &ScalingPage::onProgress);
    connect(r, &JobRunner::sweepFinished, this, &ScalingPage::onFinished);
    connect(r, &JobRunner::jobFinished, this, [this](JobKind k, JobId id, bool cancelled) { onJobEnded(k, id, cancelled, {}); });
    connect(r, &JobRunner::jobFailed, this, [this](JobKind k, JobId id, const QString& e) { onJobEnded(k, id, false, e); });
  }
}

SweepSpec ScalingPage::sweepSpec() const {
  SweepSpec spec;
  if (context_.session) {
    const SessionState& state = context_.session->state();
    spec.base = state.base;
    spec.variants = state.variants;
    spec.params = fixedParams(state);
  }
  spec.base.map.reset();
  spec.base.warmup = 1;
  spec.base.repeats = repeats_->value();
  spec.base.minMeasureSeconds = 0;
  spec.lengths = parseLengths(lengths_->text().trimmed().toStdString());
  spec.errorVsDense = error_->isChecked();
  return spec;
}

void ScalingPage::startSweep() {
  if (!context_.runner) return;
  SweepSpec spec;
  try {
    spec = sweepSpec();
    validateSweep(spec);
  } catch (const Error& e) {
    status_->setText(tr("Cannot start the sweep: %1").arg(engineMessage(e.what())));
    emit message(status_->text());
    return;
  }
  points_.clear();
  finished_ = false;
  spec_ = spec;
  chart_->clear();
  fillTable({});
  status_->setText(tr("Sweeping %1 variant(s) over %2 length(s)…").arg(spec.variants.size()).arg(spec.lengths.size()));
  job_ = context_.runner->startSweep(spec);
  setRunning(true);
}

void ScalingPage::cancelSweep() {
  if (context_.runner && job_ != 0 && context_.runner->current(JobKind::Sweep) == job_) context_.runner->cancel(JobKind::Sweep);
}

void ScalingPage::onPoint(JobId id, const SweepPoint& point) {
  if (id != job_ || id == 0) return;
  points_.push_back(point);
  chart_->addPoint(point);
  fillTable(summarizeSweep(points_));
}

void ScalingPage::onProgress(JobId id, const SweepProgress& p) {
  if (id != job_ || id == 0) return;
  progress_->setRange(0, std::max(1, p.total));
  progress_->setValue(p.done);
  QString text = tr("%1 of %2 points").arg(p.done).arg(p.total);
  if (!p.current.empty()) text += tr(" · now %1").arg(engineProgressText(p.current));
  if (p.remainingSeconds >= 0) text += tr(" · about %1 s left").arg(p.remainingSeconds, 0, 'f', 0);
  status_->setText(text);
}

void ScalingPage::onFinished(JobId id, std::shared_ptr<const SweepResult> result) {
  if (id != job_ || id == 0 || !result) return;
  points_ = result->points;
  result_ = result;
  export_->setEnabled(true);
  chart_->setResult(*result);
  fillTable(result->series);
  int skipped = 0, failed = 0;
  for (const SweepPoint& p : result->points) {
    skipped += p.status == PointStatus::Skipped;
    failed += p.status == PointStatus::Failed;
  }
  QString text = result->cancelled ? tr("Cancelled: %1 of %2 points kept").arg(result->points.size()).arg(result->planned)
                                   : tr("Done: %1 points in %2 s").arg(result->points.size()).arg(result->wallSeconds, 0, 'f', 1);
  if (skipped) text += tr(" · %1 skipped (hover the squares for why)").arg(skipped);
  if (failed) {
    text += tr(" · %1 failed").arg(failed);
    for (const SweepPoint& p : result->points)
      if (p.status == PointStatus::Failed) {
        text += tr(" (first: %1 at n = %2: %3)").arg(QString::fromStdString(p.seriesKey())).arg(p.n).arg(QString::fromStdString(p.message));
        break;
      }
  }
  status_->setText(text);
  finished_ = true;
  emit resultsShown();
}

void ScalingPage::onJobEnded(JobKind kind, JobId id, bool cancelled, const QString& error) {
  if (kind != JobKind::Sweep || id != job_ || id == 0) return;
  job_ = 0;
  setRunning(false);
  if (!error.isEmpty()) {
    status_->setText(tr("The sweep failed: %1").arg(error));
    emit message(status_->text());
  } else if (cancelled && !finished_) {
    // Replaced by another sweep (or cancelled before any result came): keep what arrived.
    status_->setText(tr("Stopped: %1 points kept").arg(points_.size()));
    finished_ = !points_.empty();
    if (finished_) emit resultsShown();
  }
}

void ScalingPage::setRunning(bool running) {
  run_->setEnabled(!running);
  cancel_->setEnabled(running);
  if (running) {
    progress_->setRange(0, 0);  // busy until the first progress report
  } else {
    progress_->setRange(0, 1);
    progress_->setValue(1);
  }
}

void ScalingPage::fillTable(const std::vector<SweepSeries>& series) {
  std::vector<const Variant*> variants = VariantRegistry::instance().all();
  std::stable_sort(variants.begin(), variants.end(), [](const Variant* a, const Variant* b) {
    const int fa = familyRank(a->info().family), fb = familyRank(b->info().family);
    return fa != fb ? fa < fb : a->info().displayOrder < b->info().displayOrder;
  });
  table_->setRowCount(static_cast<int>(variants.size()));
  for (int row = 0; row < static_cast<int>(variants.size()); ++row) {
    const VariantInfo& info = variants[static_cast<size_t>(row)]->info();
    const SweepSeries* measured = nullptr;
    for (const SweepSeries& s : series)
      if (s.variant == info.id) {
        measured = &s;
        break;
      }
    auto set = [&](int col, const QString& text) {
      auto* item = new QTableWidgetItem(text);
      item->setToolTip(text);
      if (measured) {
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
      }
      table_->setItem(row, col, item);
    };
    set(ColFamily, familyTitle(info.family));
    set(ColVariant, info.title.empty() ? QString::fromStdString(info.id) : engineText(info.title));
    set(ColTime, QString::fromStdString(info.complexity));
    set(ColMemory, QString::fromStdString(info.memoryComplexity));
    set(ColSuits, engineText(info.useWhen));
    set(ColLoses, engineText(info.loses));
    const QString none = QStringLiteral("—");
    set(ColTimeExp, measured && measured->time.valid() ? QString("n^%1").arg(measured->time.exponent, 0, 'f', 2) : none);
    set(ColMemExp, measured && measured->memory.valid() ? QString("n^%1").arg(measured->memory.exponent, 0, 'f', 2) : none);
    set(ColError, measured && measured->error ? tr("%1 (n = %2)").arg(*measured->error, 0, 'g', 3).arg(measured->errorN) : none);
  }
  table_->resizeColumnsToContents();
  for (int col : {ColVariant, ColSuits, ColLoses}) table_->setColumnWidth(col, std::min(table_->columnWidth(col), col == ColVariant ? 220 : 300));
  table_->resizeRowsToContents();
}

bool ScalingPage::exportResults(const QString& path, QString* error) const {
  if (!result_) {
    if (error) *error = tr("no sweep to export: run one first");
    return false;
  }
  const std::string text = path.endsWith(".csv", Qt::CaseInsensitive) ? sweepToCsv(*result_) : sweepToJson(*result_).dump(2) + "\n";
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()) || !file.commit()) {
    if (error) *error = tr("cannot write %1: %2").arg(QFileInfo(path).absoluteFilePath(), file.errorString());
    return false;
  }
  return true;
}

void ScalingPage::chooseExportPath() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export sweep"), "sweep.json", tr("JSON (*.json);;CSV (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  emit message(exportResults(path, &error) ? tr("Sweep written to %1").arg(path) : error);
}

void ScalingPage::saveState(nlohmann::json& state) const {
  state["lengths"] = lengths_->text().toStdString();
  state["repeats"] = repeats_->value();
  state["error_vs_dense"] = error_->isChecked();
}

void ScalingPage::restoreState(const nlohmann::json& state) {
  if (!state.is_object()) return;
  if (state.contains("lengths") && state["lengths"].is_string()) lengths_->setText(QString::fromStdString(state["lengths"].get<std::string>()));
  if (state.contains("repeats") && state["repeats"].is_number_integer()) repeats_->setValue(state["repeats"].get<int>());
  if (state.contains("error_vs_dense") && state["error_vs_dense"].is_boolean()) error_->setChecked(state["error_vs_dense"].get<bool>());
}

Page* makeScalingPage(const PageContext& context, QWidget* parent) { return new ScalingPage(context, parent); }

}  // namespace attnscope
