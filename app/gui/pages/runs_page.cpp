#include "runs_page.hpp"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include <nlohmann/json.hpp>

#include "heatmap_view.hpp"
#include "map_to_heatmap.hpp"

namespace attnscope {

namespace {

RunMetric number(const QString& name, double v, int precision = 4) { return {name, v, QString::number(v, 'g', precision)}; }
RunMetric text(const QString& name, const QString& t) { return {name, std::nullopt, t}; }

}  // namespace

std::vector<RunMetric> runMetrics(const RunRecord& run, int index) {
  std::vector<RunMetric> out;
  out.push_back(text(RunsPage::tr("run"), run.label()));
  out.push_back(text(RunsPage::tr("state"), run.stateText()));
  if (run.kind == JobKind::Sweep) {
    const std::vector<SweepSeries> series = run.sweep ? run.sweep->series : summarizeSweep(run.points);
    out.push_back(number(RunsPage::tr("points"), static_cast<double>(run.points.size())));
    for (const SweepSeries& s : series) {
      const QString key = QString::fromStdString(s.key);
      if (s.time.valid()) out.push_back(number(RunsPage::tr("%1: time exponent").arg(key), s.time.exponent, 3));
      if (s.memory.valid()) out.push_back(number(RunsPage::tr("%1: memory exponent").arg(key), s.memory.exponent, 3));
      if (s.error) out.push_back(number(RunsPage::tr("%1: error vs dense (n = %2)").arg(key).arg(s.errorN), *s.error, 3));
    }
    return out;
  }
  const CompareItem* item = run.item(index);
  if (!item) {
    if (index >= 0 && index < static_cast<int>(run.specs.size()))
      out.push_back(text(RunsPage::tr("variant"), QString::fromStdString(run.specs[static_cast<size_t>(index)].attention.variant)));
    out.push_back(text(RunsPage::tr("results"), RunsPage::tr("none (not run, released, or from a session file)")));
    return out;
  }
  out.push_back(text(RunsPage::tr("variant"), QString::fromStdString(item->spec.attention.variant)));
  QStringList params;
  for (const auto& [name, value] : item->spec.attention.params.describe()) params << QString::fromStdString(name + "=" + value);
  out.push_back(text(RunsPage::tr("parameters"), params.join(" ")));
  if (!item->run) {
    out.push_back(text(RunsPage::tr("error"), item->error));
    return out;
  }
  const RunResult& r = *item->run;
  out.push_back(number(RunsPage::tr("n"), static_cast<double>(r.shape.n)));
  out.push_back(number(RunsPage::tr("heads"), static_cast<double>(r.shape.heads)));
  out.push_back(number(RunsPage::tr("time, median (ms)"), r.time.medianMs));
  out.push_back(number(RunsPage::tr("time, spread (ms)"), r.time.maxMs - r.time.minMs));
  out.push_back(number(RunsPage::tr("workspace peak (MB)"), static_cast<double>(r.memory.workspacePeakBytes) / 1e6));
  out.push_back(number(RunsPage::tr("run memory (MB)"), static_cast<double>(r.memory.runBytes) / 1e6));
  out.push_back(number(RunsPage::tr("GFLOP/s"), r.gflops));
  if (const AnalysisResult* a = item->analysis.get()) {
    out.push_back(number(RunsPage::tr("pairs computed (fraction)"), a->pairs.fraction));
    if (a->metrics) {
      const Metrics& m = *a->metrics;
      out.push_back(number(RunsPage::tr("output error vs dense"), m.outputRelativeError, 3));
      if (m.klDenseToVariant.finite.rows > 0) out.push_back(number(RunsPage::tr("KL(dense || variant), mean"), m.klDenseToVariant.finite.mean, 3));
      if (m.entropy.rows > 0) out.push_back(number(RunsPage::tr("entropy, mean (nats)"), m.entropy.mean, 3));
      if (m.distance.rows > 0) out.push_back(number(RunsPage::tr("attention distance, mean (tokens)"), m.distance.mean, 4));
      if (m.recall.rows > 0) {
        out.push_back(number(RunsPage::tr("attention recall, mean"), m.recall.mean, 3));
        out.push_back(number(RunsPage::tr("attention recall, worst query"), m.recall.min, 3));
      }
    }
  }
  return out;
}

HeatmapData mapDifference(const MapGrid& a, const MapGrid& b, QString* why) {
  if (a.rows != b.rows || a.cols != b.cols || a.i0 != b.i0 || a.i1 != b.i1 || a.j0 != b.j0 || a.j1 != b.j1) {
    if (why)
      *why = RunsPage::tr("the maps cover different grids (%1×%2 cells over [%3, %4)×[%5, %6) against %7×%8 over [%9, %10)×[%11, %12)): no difference map")
                 .arg(a.rows).arg(a.cols).arg(a.i0).arg(a.i1).arg(a.j0).arg(a.j1)
                 .arg(b.rows).arg(b.cols).arg(b.i0).arg(b.i1).arg(b.j0).arg(b.j1);
    return {};
  }
  const Mat diff = (a.exact() ? a.sum : a.mean()) - (b.exact() ? b.sum : b.mean());
  HeatmapData d = heatmapFromShade(a, diff);
  d.valueName = "A1 - A2";
  d.scale = ColorScale::Log;
  d.colormap = Colormap::Magma;
  d.title = RunsPage::tr("A1 - A2 (shade: |difference|; largest %1)").arg(diff.cwiseAbs().maxCoeff(), 0, 'g', 3).toStdString();
  return d;
}

RunsPage::RunsPage(const PageContext& context, QWidget* parent) : Page(parent), context_(context) {
  history_ = context_.runner ? RunHistory::of(context_.runner) : new RunHistory(this);
  auto* layout = new QVBoxLayout(this);
  auto* pick = new QGridLayout;
  for (int side = 0; side < 2; ++side) {
    pick->addWidget(new QLabel(side == 0 ? tr("Run A") : tr("Run B"), this), side, 0);
    run_[side] = new QComboBox(this);
    run_[side]->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    run_[side]->setMinimumWidth(320);
    pick->addWidget(run_[side], side, 1);
    item_[side] = new QComboBox(this);
    item_[side]->setMinimumWidth(160);
    pick->addWidget(item_[side], side, 2);
    connect(run_[side], &QComboBox::activated, this, [this, side] {
      chosen_ = true;
      fillItems(side);
      compareSelected();
    });
    connect(item_[side], &QComboBox::activated, this, [this] {
      chosen_ = true;
      compareSelected();
    });
  }
  pick->setColumnStretch(3, 1);
  layout->addLayout(pick);
  auto* split = new QSplitter(Qt::Vertical, this);
  table_ = new QTableWidget(0, 4, split);
  table_->setHorizontalHeaderLabels({tr("Metric"), tr("A"), tr("B"), tr("B - A")});
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* mapsBox = new QWidget(split);
  auto* mapsLayout = new QVBoxLayout(mapsBox);
  mapsLayout->setContentsMargins(0, 0, 0, 0);
  auto* row = new QHBoxLayout;
  for (HeatmapView*& view : maps_) {
    view = new HeatmapView(mapsBox);
    row->addWidget(view);
  }
  mapsLayout->addLayout(row, 1);
  note_ = new QLabel(tr("Pick two runs of the history to compare them."), mapsBox);
  note_->setWordWrap(true);
  mapsLayout->addWidget(note_);
  split->addWidget(table_);
  split->addWidget(mapsBox);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  layout->addWidget(split, 1);
  connect(history_, &RunHistory::changed, this, &RunsPage::refreshRuns);
  connect(history_, &RunHistory::runUpdated, this, &RunsPage::refreshRuns);
  refreshRuns();
}

void RunsPage::refreshRuns() {
  const auto& runs = history_->runs();
  for (int side = 0; side < 2; ++side) {
    const int keep = run_[side]->currentData().toInt();
    const int keepItem = item_[side]->currentData().toInt();
    QSignalBlocker block(run_[side]);
    run_[side]->clear();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) run_[side]->addItem(it->label() + " (" + it->stateText() + ")", it->number);
    if (chosen_) {
      run_[side]->setCurrentIndex(std::max(0, run_[side]->findData(keep)));
      fillItems(side);
      item_[side]->setCurrentIndex(std::max(0, item_[side]->findData(keepItem)));
      continue;
    }
    // Until the user picks: B is the latest run and A the one before it; one
    // batch on both sides compares its first two variants.
    run_[side]->setCurrentIndex(std::min(side == 0 ? 1 : 0, run_[side]->count() - 1));
    fillItems(side);
    if (side == 1 && run_[1]->currentData() == run_[0]->currentData() && item_[1]->count() > 1) item_[1]->setCurrentIndex(1);
  }
  if (!runs.empty()) compareSelected();
}

void RunsPage::fillItems(int side) {
  QSignalBlocker block(item_[side]);
  item_[side]->clear();
  const RunRecord* r = history_->find(run_[side]->currentData().toInt());
  item_[side]->setEnabled(r && r->kind == JobKind::Compare);
  if (!r || r->kind != JobKind::Compare) return;
  for (size_t i = 0; i < r->specs.size(); ++i) item_[side]->addItem(QString::fromStdString(r->specs[i].attention.variant), static_cast<int>(i));
}

void RunsPage::compareSelected() {
  showPair(run_[0]->currentData().toInt(), item_[0]->currentData().toInt(), run_[1]->currentData().toInt(), item_[1]->currentData().toInt());
}

bool RunsPage::compare(int runA, int itemA, int runB, int itemB) {
  if (!history_->find(runA) || !history_->find(runB)) return false;
  chosen_ = true;  // picked directly (tests, a restored session): kept as runs come in
  return showPair(runA, itemA, runB, itemB);
}

bool RunsPage::showPair(int runA, int itemA, int runB, int itemB) {
  const RunRecord* a = history_->find(runA);
  const RunRecord* b = history_->find(runB);
  if (!a || !b) return false;
  // Keep the selectors in step when called directly.
  for (int side = 0; side < 2; ++side) {
    const int want = side == 0 ? runA : runB;
    if (run_[side]->currentData().toInt() != want) {
      run_[side]->setCurrentIndex(run_[side]->findData(want));
      fillItems(side);
    }
    const int wantItem = side == 0 ? itemA : itemB;
    if (item_[side]->findData(wantItem) >= 0) item_[side]->setCurrentIndex(item_[side]->findData(wantItem));
  }
  const std::vector<RunMetric> ma = runMetrics(*a, itemA), mb = runMetrics(*b, itemB);
  // Rows in A's order, then B's rows that A lacks.
  std::vector<QString> names;
  for (const RunMetric& m : ma) names.push_back(m.name);
  for (const RunMetric& m : mb)
    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  auto lookup = [](const std::vector<RunMetric>& list, const QString& name) -> const RunMetric* {
    for (const RunMetric& m : list)
      if (m.name == name) return &m;
    return nullptr;
  };
  table_->setRowCount(static_cast<int>(names.size()));
  for (int row = 0; row < static_cast<int>(names.size()); ++row) {
    const RunMetric* x = lookup(ma, names[static_cast<size_t>(row)]);
    const RunMetric* y = lookup(mb, names[static_cast<size_t>(row)]);
    table_->setItem(row, 0, new QTableWidgetItem(names[static_cast<size_t>(row)]));
    table_->setItem(row, 1, new QTableWidgetItem(x ? x->text : QString()));
    table_->setItem(row, 2, new QTableWidgetItem(y ? y->text : QString()));
    QString delta;
    if (x && y && x->value && y->value) {
      const double d = *y->value - *x->value;
      delta = QString::number(d, 'g', 4);
      if (*x->value != 0 && std::isfinite(*x->value)) delta += QString("  (%1%2 %)").arg(d >= 0 ? "+" : "").arg(100 * d / std::abs(*x->value), 0, 'f', 1);
    }
    table_->setItem(row, 3, new QTableWidgetItem(delta));
  }
  table_->resizeColumnsToContents();

  // Maps: A, B and A - B when both are compare items with maps on the same grid.
  const CompareItem* ia = a->kind == JobKind::Compare ? a->item(itemA) : nullptr;
  const CompareItem* ib = b->kind == JobKind::Compare ? b->item(itemB) : nullptr;
  const MapGrid* ga = ia && ia->analysis && ia->analysis->map ? &*ia->analysis->map : nullptr;
  const MapGrid* gb = ib && ib->analysis && ib->analysis->map ? &*ib->analysis->map : nullptr;
  maps_[0]->setData(ga ? heatmapFromGrid(*ga, tr("A: %1").arg(QString::fromStdString(ia->spec.attention.variant)).toStdString(), nullptr) : HeatmapData{});
  maps_[1]->setData(gb ? heatmapFromGrid(*gb, tr("B: %1").arg(QString::fromStdString(ib->spec.attention.variant)).toStdString(), nullptr) : HeatmapData{});
  QString why;
  if (ga && gb) {
    maps_[2]->setData(mapDifference(*ga, *gb, &why));
    if (why.isEmpty()) why = tr("Right: A1 - A2 on the shared grid; hover a cell for the signed difference.");
  } else {
    maps_[2]->setData(HeatmapData{});
    why = tr("The map difference needs a map on both sides (a sweep keeps no maps; a running batch may not have them yet).");
  }
  note_->setText(why);
  // Shown once neither side is still running (a screenshot waits for this).
  const bool settled = a->state != RunRecord::State::Running && b->state != RunRecord::State::Running;
  if (settled && !compared_) {
    compared_ = true;
    emit resultsShown();
  }
  return true;
}

QString RunsPage::diffNote() const { return note_->text(); }

void RunsPage::saveState(nlohmann::json& state) const {
  state["a"] = {{"run", run_[0]->currentData().toInt()}, {"item", item_[0]->currentData().toInt()}};
  state["b"] = {{"run", run_[1]->currentData().toInt()}, {"item", item_[1]->currentData().toInt()}};
}

void RunsPage::restoreState(const nlohmann::json& state) {
  if (!state.is_object()) return;
  auto pickOf = [&](const char* key) -> std::pair<int, int> {
    const nlohmann::json s = state.value(key, nlohmann::json::object());
    if (!s.is_object()) return {0, 0};
    const nlohmann::json run = s.value("run", nlohmann::json(0)), item = s.value("item", nlohmann::json(0));
    return {run.is_number_integer() ? run.get<int>() : 0, item.is_number_integer() ? item.get<int>() : 0};
  };
  const auto [ra, ia] = pickOf("a");
  const auto [rb, ib] = pickOf("b");
  compare(ra, ia, rb, ib);
}

Page* makeRunsPage(const PageContext& context, QWidget* parent) { return new RunsPage(context, parent); }

}  // namespace attnscope
