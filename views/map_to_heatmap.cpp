#include "map_to_heatmap.hpp"

#include <QCoreApplication>

namespace attnscope {

HeatmapData heatmapFromShade(const MapGrid& grid, const Mat& shade) {
  HeatmapData d;
  d.rows = grid.rows;
  d.cols = grid.cols;
  d.i0 = grid.i0;
  d.i1 = grid.i1;
  d.j0 = grid.j0;
  d.j1 = grid.j1;
  d.values.assign(shade.data(), shade.data() + shade.size());
  return d;
}

HeatmapData heatmapFromGrid(const MapGrid& grid, const std::string& title, std::shared_ptr<const std::vector<std::string>> labels) {
  // Exact maps show A itself; pooled cells show the mean of A over the cell.
  HeatmapData d = heatmapFromShade(grid, grid.exact() ? grid.sum : grid.mean());
  d.title = title;
  d.valueName = QCoreApplication::translate("attnscope::MapToHeatmap", "weight").toStdString();
  if (!grid.exact()) d.maxValues.assign(grid.max.data(), grid.max.data() + grid.max.size());
  d.labels = std::move(labels);
  if (grid.sum.size() > 0 && grid.sum.minCoeff() < 0)
    d.title += QCoreApplication::translate("attnscope::MapToHeatmap", " (|A|: A has negative entries)").toStdString();
  return d;
}

HeatmapData maskFromGrid(const MapGrid& grid) {
  if (grid.computed.rows() != grid.rows || grid.computed.cols() != grid.cols || grid.rows == 0) return {};
  HeatmapData d = heatmapFromShade(grid, grid.computed);
  d.valueName = QCoreApplication::translate("attnscope::MapToHeatmap", "computed").toStdString();
  d.scale = ColorScale::Linear;
  d.scaleMax = 1.0;
  return d;
}

}  // namespace attnscope
