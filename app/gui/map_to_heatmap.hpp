// Turns the engine's MapGrid into the plain struct a HeatmapView draws.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "heatmap_data.hpp"

namespace attnscope {

HeatmapData heatmapFromGrid(const MapGrid& grid, const std::string& title, std::shared_ptr<const std::vector<std::string>> labels);

}  // namespace attnscope
