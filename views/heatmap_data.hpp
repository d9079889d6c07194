// What a heatmap draws: a plain grid of values over a region of (i, j), with
// the token labels for tooltips. Filled by the app from a MapGrid.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/colormap.hpp"

namespace attnscope {

struct HeatmapData {
  std::string title;
  int64_t rows = 0, cols = 0;       // cells
  std::vector<float> values;        // rows x cols, row-major (the shade)
  std::vector<float> maxValues;     // optional: per-cell max (pooled maps)
  int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;  // region in tokens: rows [i0, i1), cols [j0, j1)
  std::shared_ptr<const std::vector<std::string>> labels;  // token labels (may be null)
  std::string valueName = "weight";
  Colormap colormap = Colormap::Viridis;
  ColorScale scale = ColorScale::Log;
  double logFloor = 1e-4;           // Log scale: values below max * floor share the darkest colour
  // Each row divided by its own largest |value| before shading: a query's
  // weak links show beside another query's strong ones.
  bool rowNormalised = false;
  double scaleMax = 0;              // > 0: fixed top of the scale (columns shaded alike); 0: the data's max
  std::string rowName = "i", colName = "j";  // axis names in tooltips and ticks

  bool exact() const { return rows == i1 - i0 && cols == j1 - j0; }
  float at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
  // Token range [first, last) of cell row r / column c.
  std::pair<int64_t, int64_t> rowTokens(int64_t r) const;
  std::pair<int64_t, int64_t> colTokens(int64_t c) const;
};

}  // namespace attnscope
