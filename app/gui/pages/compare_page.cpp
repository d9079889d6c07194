#include "compare_page.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "compare_column.hpp"
#include "session_model.hpp"
#include "view_export.hpp"

namespace attnscope {

namespace {

constexpr int kColumnWidth = 330;  // narrowest column before the grid wraps

QString tokenText(const std::vector<std::string>* labels, int64_t t) {
  if (!labels || t < 0 || t >= static_cast<int64_t>(labels->size())) return {};
  return QStringLiteral(" “%1”").arg(QString::fromStdString((*labels)[static_cast<size_t>(t)]));
}

}  // namespace

ComparePage::ComparePage(const PageContext& context, QWidget* parent)
    : Page(parent), context_(context), scaleBox_(new QComboBox), maskBox_(new QCheckBox(tr("Show computed pairs"))), cursor_(new QLabel),
      scroll_(new QScrollArea), gridHost_(new QWidget), grid_(new QGridLayout(gridHost_)) {
  setObjectName("comparePage");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Scale")));
  scaleBox_->addItem(tr("Log"), 0);
  scaleBox_->addItem(tr("Linear"), 1);
  scaleBox_->addItem(tr("Square root"), 2);
  scaleBox_->addItem(tr("Row-normalised (log)"), 3);
  scaleBox_->setToolTip(tr("Log shows weak long-range links beside the strong diagonal; row-normalised scales each query by its own largest weight"));
  bar->addWidget(scaleBox_);
  maskBox_->setToolTip(tr("Lay the pairs each variant scores over its map"));
  bar->addWidget(maskBox_);
  bar->addStretch(1);
  layout->addLayout(bar);
  cursor_->setObjectName("cursorLabel");
  cursor_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  cursor_->setText(tr("Hover a map: i, j, both tokens and every variant's weight appear here. Wheel zooms, drag pans, double-click resets."));
  cursor_->setWordWrap(true);
  layout->addWidget(cursor_);
  grid_->setContentsMargins(0, 0, 0, 0);
  scroll_->setWidget(gridHost_);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  layout->addWidget(scroll_, 1);

  connect(scaleBox_, &QComboBox::currentIndexChanged, this, [this] {
    const int v = scaleBox_->currentData().toInt();
    setScale(v == 1 ? ColorScale::Linear : v == 2 ? ColorScale::Sqrt : ColorScale::Log, v == 3);
  });
  connect(maskBox_, &QCheckBox::toggled, this, &ComparePage::setMaskVisible);
  regionTimer_.setSingleShot(true);
  regionTimer_.setInterval(60);
  connect(&regionTimer_, &QTimer::timeout, this, &ComparePage::startRegion);

  JobRunner* runner = context_.runner;
  connect(runner, &JobRunner::compareStarted, this, &ComparePage::onCompareStarted);
  connect(runner, &JobRunner::compareItem, this, &ComparePage::onItem);
  connect(runner, &JobRunner::jobFinished, this, [this](JobKind kind, JobId id, bool) { onEnded(kind, id); });
  connect(runner, &JobRunner::jobFailed, this, [this](JobKind kind, JobId id, const QString&) { onEnded(kind, id); });
  connect(runner, &JobRunner::regionItem, this, [this](JobId id, std::shared_ptr<const RegionItem> item) {
    if (id != regionJob_ || !item || item->index < 0 || item->index >= columnCount()) return;
    if (item->analysis) column(item->index)->setRegion(*item->analysis);
    else emit message(tr("Region of %1: %2").arg(QString::fromStdString(column(item->index)->variant()), item->error));
  });
}

CompareColumn* ComparePage::column(int index) const {
  return index >= 0 && index < columnCount() ? columns_[static_cast<size_t>(index)] : nullptr;
}

void ComparePage::runDefault() {
  const SessionState& state = context_.session->state();
  CompareRequest request;
  request.specs = context_.session->compareSpecs();
  if (request.specs.empty()) {
    emit message(tr("Check at least one variant to compare."));
    return;
  }
  request.analysis.head = state.mapHead;
  request.analysis.spectrum = true;
  request.analysis.metrics = true;
  request.analysis.memory = true;
  context_.runner->startCompare(request);
}

void ComparePage::onCompareStarted(JobId id, const CompareRequest& request) {
  job_ = id;
  hasResults_ = false;
  columnsFresh_ = false;
  pendingVariants_.clear();
  for (const RunSpec& s : request.specs) pendingVariants_.push_back(s.attention.variant);
  // Zoomed regions belong to the old batch.
  context_.runner->cancel(JobKind::Region);
  regionJob_ = 0;
  lastRegion_ = {};
  for (size_t k = 0; k < columns_.size() && k < pendingVariants_.size(); ++k)
    if (columns_[k]->variant() == pendingVariants_[k]) columns_[k]->setPending();
}

void ComparePage::makeColumns(const std::vector<std::string>& variants) {
  std::vector<std::string> now;
  for (CompareColumn* c : columns_) now.push_back(c->variant());
  if (now == variants) return;
  for (CompareColumn* c : columns_) c->deleteLater();
  columns_.clear();
  const int v = scaleBox_->currentData().toInt();
  for (const std::string& id : variants) {
    auto* c = new CompareColumn(id, gridHost_);
    c->setMinimumWidth(kColumnWidth - 20);
    HeatmapView* map = c->map();
    map->setColorScale(v == 1 ? ColorScale::Linear : v == 2 ? ColorScale::Sqrt : ColorScale::Log);
    map->setRowNormalised(v == 3);
    map->setMaskVisible(maskBox_->isChecked());
    connect(map, &HeatmapView::tokenHovered, this, &ComparePage::onHover);
    connect(map, &HeatmapView::hoverLeft, this, &ComparePage::onHoverLeft);
    connect(map, &HeatmapView::viewRegionChanged, this,
            [this, c](int64_t i0, int64_t i1, int64_t j0, int64_t j1) { onViewRegion(c, TokenRegion{i0, i1, j0, j1}); });
    connect(map, &HeatmapView::regionRequested, this, [this](int64_t i0, int64_t i1, int64_t j0, int64_t j1) { requestRegion(TokenRegion{i0, i1, j0, j1}); });
    columns_.push_back(c);
  }
  perRow_ = 0;  // forces the layout
  reflow();
}

void ComparePage::onItem(JobId id, std::shared_ptr<const CompareItem> item) {
  if (id != job_ || !item) return;
  // The previous batch's columns stay until this batch has something to show.
  if (!columnsFresh_) {
    makeColumns(pendingVariants_);
    columnsFresh_ = true;
  }
  CompareColumn* c = column(item->index);
  if (!c) return;
  const bool isDense = item->spec.attention.variant == "dense";
  c->setItem(item, isDense ? item.get() : denseItem());
  // Columns that finished before dense get its spectrum as their reference now.
  if (isDense)
    for (CompareColumn* other : columns_)
      if (other != c && other->done() && other->item() && !other->failed()) other->setItem(other->item(), item.get());
}

const CompareItem* ComparePage::denseItem() const {
  for (CompareColumn* c : columns_)
    if (c->done() && c->item() && !c->failed() && c->item()->spec.attention.variant == "dense") return c->item().get();
  return nullptr;
}

void ComparePage::onEnded(JobKind kind, JobId id) {
  if (kind != JobKind::Compare || id != job_) return;
  // A cancelled or failed batch leaves what was shown before it.
  for (CompareColumn* c : columns_)
    if (!c->done() && c->item()) c->setItem(c->item(), denseItem());
  const bool any = std::any_of(columns_.begin(), columns_.end(), [](CompareColumn* c) { return c->done(); });
  hasResults_ = any;
  if (columnsFresh_ && any) {
    // A batch run while zoomed in: its pooled maps are recomputed for the region shown.
    const HeatmapView* map = columns_.front()->map();
    if (map->hasData() && !map->data().exact() && !(map->viewRegion() == map->tokenExtent())) requestRegion(map->viewRegion());
    emit resultsShown();
  }
}

void ComparePage::onHover(int64_t i, int64_t j) {
  const std::vector<std::string>* labels = nullptr;
  for (CompareColumn* c : columns_)
    if (c->item() && c->item()->input && !c->item()->input->labels.empty()) labels = &c->item()->input->labels;
  QStringList weights;
  for (CompareColumn* c : columns_) {
    if (!c->map()->hasData()) continue;
    c->map()->setCrosshair(i, j);
    const float w = c->map()->weightAt(i, j);
    weights << tr("%1 %2").arg(QString::fromStdString(c->variant()), std::isnan(w) ? tr("–") : QString::number(w, 'g', 4));
  }
  const QString text =
      tr("i = %1%2, j = %3%4  ·  %5").arg(i).arg(tokenText(labels, i)).arg(j).arg(tokenText(labels, j)).arg(weights.join(QStringLiteral("  ·  ")));
  cursor_->setText(text);
  emit message(text);
}

void ComparePage::onHoverLeft() {
  for (CompareColumn* c : columns_) c->map()->clearCrosshair();
}

void ComparePage::onViewRegion(CompareColumn* from, const TokenRegion& region) {
  if (syncingView_) return;
  // Zoom and pan are shared: every column shows the same tokens.
  syncingView_ = true;
  for (CompareColumn* c : columns_)
    if (c != from && c->map()->hasData() && !(c->map()->viewRegion() == region)) c->map()->setViewRegion(region);
  syncingView_ = false;
}

void ComparePage::requestRegion(const TokenRegion& region) {
  pendingRegion_ = region;
  regionTimer_.start();
}

void ComparePage::startRegion() {
  if (pendingRegion_.empty() || (pendingRegion_ == lastRegion_ && regionJob_ != 0)) return;
  RegionRequest request;
  int64_t n = 0;
  for (int k = 0; k < columnCount(); ++k) {
    const CompareColumn* c = column(k);
    if (!c->done() || c->failed() || !c->item() || !c->item()->analysis) continue;
    if (!request.input) request.input = c->item()->input;
    request.head = c->item()->analysis->head;
    n = c->item()->analysis->n;
    request.indices.push_back(k);
    request.specs.push_back(c->item()->spec.attention);
    request.backends.push_back(c->item()->spec.backend);
  }
  if (!request.input || request.indices.empty()) return;
  const TokenRegion r = pendingRegion_;
  if (r.i0 <= 0 && r.j0 <= 0 && r.i1 >= n && r.j1 >= n) {
    // Zoomed all the way out: the batch's own maps show it.
    context_.runner->cancel(JobKind::Region);
    regionJob_ = 0;
    lastRegion_ = {};
    for (CompareColumn* c : columns_) c->showBatchMap();
    return;
  }
  request.map = defaultMapRequest(n, std::max<int64_t>(0, r.i0), std::min(n, r.i1), std::max<int64_t>(0, r.j0), std::min(n, r.j1));
  lastRegion_ = r;
  regionJob_ = context_.runner->startRegion(request);
  emit message(tr("Recomputing rows %1..%2, columns %3..%4").arg(r.i0).arg(r.i1).arg(r.j0).arg(r.j1));
}

void ComparePage::setMaskVisible(bool visible) {
  if (maskBox_->isChecked() != visible) maskBox_->setChecked(visible);
  for (CompareColumn* c : columns_) c->map()->setMaskVisible(visible);
}

void ComparePage::setScale(ColorScale scale, bool rowNormalised) {
  const int v = rowNormalised ? 3 : scale == ColorScale::Linear ? 1 : scale == ColorScale::Sqrt ? 2 : 0;
  if (scaleBox_->currentData().toInt() != v) {
    scaleBox_->setCurrentIndex(scaleBox_->findData(v));
    return;  // the box's signal comes back here
  }
  for (CompareColumn* c : columns_) {
    c->map()->setColorScale(scale);
    c->map()->setRowNormalised(rowNormalised);
  }
}

void ComparePage::resizeEvent(QResizeEvent* event) {
  Page::resizeEvent(event);
  reflow();
}

void ComparePage::reflow() {
  const int width = scroll_->viewport()->width() > 0 ? scroll_->viewport()->width() : this->width();
  const int count = std::max(1, columnCount());
  const int perRow = std::clamp(width / kColumnWidth, 1, count);
  if (perRow == perRow_) return;
  perRow_ = perRow;
  while (grid_->count() > 0) delete grid_->takeAt(0);
  for (int c = 0; c < grid_->columnCount(); ++c) grid_->setColumnStretch(c, 0);
  for (int k = 0; k < columnCount(); ++k) grid_->addWidget(columns_[static_cast<size_t>(k)], k / perRow, k % perRow);
  for (int c = 0; c < perRow; ++c) grid_->setColumnStretch(c, 1);
}

void ComparePage::saveState(nlohmann::json& state) const {
  state["scale"] = scaleBox_->currentData().toInt();
  state["mask"] = maskBox_->isChecked();
}

void ComparePage::restoreState(const nlohmann::json& state) {
  if (state.contains("scale") && state["scale"].is_number_integer()) {
    const int index = scaleBox_->findData(state["scale"].get<int>());
    if (index >= 0) scaleBox_->setCurrentIndex(index);
  }
  if (state.contains("mask") && state["mask"].is_boolean()) setMaskVisible(state["mask"].get<bool>());
}

QImage ComparePage::renderImage() const {
  // Every column, also those scrolled out of sight.
  return renderWidgetImage(gridHost_, gridHost_->size());
}

}  // namespace attnscope
