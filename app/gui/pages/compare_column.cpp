#include "compare_column.hpp"

#include <QLabel>
#include <QResizeEvent>
#include <algorithm>
#include <QVBoxLayout>

#include "attention/registry.hpp"
#include "engine_text.hpp"
#include "heatmap_view.hpp"
#include "map_to_heatmap.hpp"

#include "memory_slot_view.hpp"
#include "metrics_card.hpp"
#include "spectrum_view.hpp"

namespace attnscope {

QString mapTitle(const std::string& variant, const MapGrid& grid, int64_t n) {
  QString title = CompareColumn::tr("%1, head %2, n = %3").arg(QString::fromStdString(variant)).arg(grid.head).arg(n);
  if (grid.i0 != 0 || grid.j0 != 0 || grid.i1 != n || grid.j1 != n)
    title += CompareColumn::tr(", rows %1..%2, columns %3..%4").arg(grid.i0).arg(grid.i1).arg(grid.j0).arg(grid.j1);
  title += grid.exact() ? CompareColumn::tr(", exact") : CompareColumn::tr(", pooled %1×%2").arg(grid.rows).arg(grid.cols);
  return title;
}

namespace {

HeatmapData maskOf(const MapGrid& grid) {
  if (grid.computed.rows() != grid.rows || grid.computed.cols() != grid.cols) return {};
  HeatmapData mask = heatmapFromShade(grid, grid.computed);
  mask.valueName = CompareColumn::tr("computed").toStdString();
  mask.scale = ColorScale::Linear;
  return mask;
}

// The input's labels, shared with the batch (no copy per column).
std::shared_ptr<const std::vector<std::string>> labelsOf(const CompareItem& item) {
  if (!item.input || item.input->labels.empty()) return nullptr;
  return {item.input, &item.input->labels};
}

}  // namespace

CompareColumn::CompareColumn(const std::string& variant, QWidget* parent)
    : QFrame(parent), variant_(variant), header_(new QLabel), error_(new QLabel), map_(new HeatmapView), spectrum_(nullptr), memory_(nullptr),
      card_(nullptr) {
  setFrameShape(QFrame::StyledPanel);
  setObjectName(QString::fromStdString("column_" + variant));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  header_->setText(QString::fromStdString(variant));
  // The id heads the column (it is the CLI's name); the title says what it is.
  if (const Variant* v = VariantRegistry::instance().find(variant)) header_->setToolTip(engineText(v->info().title));
  QFont bold = header_->font();
  bold.setBold(true);
  header_->setFont(bold);
  header_->setWordWrap(true);
  layout->addWidget(header_);
  error_->setObjectName("columnError");
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet("color: #c62828;");
  error_->hide();
  layout->addWidget(error_);
  layout->addWidget(map_);
  spectrum_ = new SpectrumView;
  spectrum_->setMinimumHeight(340);  // room for the chart beside its summary lines
  spectrum_->hide();
  layout->addWidget(spectrum_);
  memory_ = new MemorySlotView;
  memory_->setMinimumHeight(360);
  memory_->hide();
  layout->addWidget(memory_);
  card_ = new MetricsCard;
  layout->addWidget(card_);
  layout->addStretch(1);  // a tall window leaves space below, not between the views
  setPending();
}

void CompareColumn::resizeEvent(QResizeEvent* event) {
  QFrame::resizeEvent(event);
  // The map's plot is square: its width less the axis and colour bar, plus the title and the lower axis.
  const int height = std::max(220, contentsRect().width() - 100);
  if (map_->height() != height) map_->setFixedHeight(height);
}

void CompareColumn::setPending() {
  done_ = false;
  header_->setText(tr("%1 (running…)").arg(QString::fromStdString(variant_)));
}

void CompareColumn::setItem(std::shared_ptr<const CompareItem> item, const CompareItem* dense) {
  item_ = std::move(item);
  done_ = true;
  header_->setText(QString::fromStdString(variant_));
  if (!item_->error.isEmpty()) {
    // The reason replaces this column's results; the others keep theirs.
    error_->setText(tr("%1 did not run: %2").arg(QString::fromStdString(variant_), item_->error));
    error_->show();
    map_->setData({});
    map_->setMask({});
    spectrum_->hide();
    memory_->hide();
    card_->setError(item_->error);
    card_->show();
    return;
  }
  error_->hide();
  const AnalysisResult* analysis = item_->analysis.get();
  if (analysis && analysis->map) {
    const auto labels = labelsOf(*item_);
    map_->setData(heatmapFromGrid(*analysis->map, mapTitle(variant_, *analysis->map, analysis->n).toStdString(), labels));
    map_->setMask(maskOf(*analysis->map));
  }
  if (analysis && analysis->spectrum) {
    spectrum_->setSpectrum(*analysis->spectrum, tr("%1: singular values of A").arg(QString::fromStdString(variant_)));
    const AnalysisResult* denseAnalysis = dense && dense->analysis ? dense->analysis.get() : nullptr;
    // The error beside the Eckart–Young bound is the output's (the map's own difference is not measured).
    if (denseAnalysis && denseAnalysis->spectrum && denseAnalysis != analysis)
      spectrum_->setDenseReference(*denseAnalysis->spectrum, analysis->metrics ? analysis->metrics->outputRelativeError : -1.0);
    else
      spectrum_->clearDenseReference();
    spectrum_->show();
  } else {
    spectrum_->setMessage(tr("No spectrum for this run."));
    spectrum_->show();
  }
  const size_t head = analysis ? static_cast<size_t>(analysis->head) : 0;
  const auto& extras = item_->run->result.extras;
  if (analysis && analysis->memory && !analysis->memory->empty() && head < extras.size()) {
    memory_->setMemory(extras[head].memory, *analysis->memory, tr("%1: memory").arg(QString::fromStdString(variant_)));
    memory_->show();
  } else {
    memory_->hide();
  }
  card_->setRun(*item_->run, analysis);
}

void CompareColumn::showBatchMap() {
  if (item_ && item_->analysis && item_->analysis->map && !(map_->data().i0 == 0 && map_->data().j0 == 0 && map_->data().i1 == item_->analysis->n &&
                                                             map_->data().j1 == item_->analysis->n))
    setRegion(*item_->analysis);
}

void CompareColumn::setRegion(const AnalysisResult& region) {
  if (!region.map) return;
  const auto labels = item_ ? labelsOf(*item_) : nullptr;
  map_->setData(heatmapFromGrid(*region.map, mapTitle(variant_, *region.map, region.n).toStdString(), labels));
  map_->setMask(maskOf(*region.map));
}

}  // namespace attnscope
