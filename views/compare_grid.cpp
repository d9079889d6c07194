#include "compare_grid.hpp"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "heatmap_view.hpp"

namespace attnscope {

CompareGrid::CompareGrid(QWidget* parent) : QWidget(parent), grid_(new QGridLayout(this)) {
  grid_->setContentsMargins(0, 0, 0, 0);
  setPanels({""});
}

void CompareGrid::setPanels(const std::vector<std::string>& titles) {
  for (HeatmapView* v : views_) v->parentWidget()->deleteLater();
  views_.clear();
  captions_.clear();
  const int count = static_cast<int>(titles.size());
  const int columns = std::min(maxColumns, std::max(1, count));
  for (int i = 0; i < count; ++i) {
    auto* panel = new QWidget;
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(2, 2, 2, 2);
    auto* view = new HeatmapView;
    HeatmapData placeholder;
    placeholder.title = titles[static_cast<size_t>(i)];
    view->setData(placeholder);
    auto* label = new QLabel(QString::fromStdString(titles[static_cast<size_t>(i)]));
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    column->addWidget(view, 1);
    column->addWidget(label);
    grid_->addWidget(panel, i / columns, i % columns);
    connect(view, &HeatmapView::hovered, this, &CompareGrid::hovered);
    views_.push_back(view);
    captions_.push_back(label);
  }
}

void CompareGrid::setMap(int index, HeatmapData data) {
  if (index >= 0 && index < panelCount()) views_[static_cast<size_t>(index)]->setData(std::move(data));
}

void CompareGrid::setCaption(int index, const QString& text) {
  if (index >= 0 && index < panelCount()) captions_[static_cast<size_t>(index)]->setText(text);
}

HeatmapView* CompareGrid::view(int index) const { return views_.at(static_cast<size_t>(index)); }
QLabel* CompareGrid::caption(int index) const { return captions_.at(static_cast<size_t>(index)); }

}  // namespace attnscope
