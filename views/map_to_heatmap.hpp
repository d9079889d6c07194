// Turns the engine's MapGrid into the plain struct a HeatmapView draws.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "heatmap_data.hpp"

namespace attnscope {

// The grid's region with the given per-cell shade (A, cell means, or the computed-pair mask).
HeatmapData heatmapFromShade(const MapGrid& grid, const Mat& shade);
// A map as the GUI shows it: exact A, or cell means with the cell maxima for tooltips.
HeatmapData heatmapFromGrid(const MapGrid& grid, const std::string& title, std::shared_ptr<const std::vector<std::string>> labels);
// The computed-pair mask for HeatmapView::setMask: 1 where the variant scores a
// pair, a pooled cell's share; empty when the variant did not fill it.
HeatmapData maskFromGrid(const MapGrid& grid);

}  // namespace attnscope
