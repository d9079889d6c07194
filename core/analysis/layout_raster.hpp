// A BlockLayout drawn at display resolution: for each cell, the fraction of
// its (i, j) pairs the layout computes. The explorer redraws it as a slider
// moves, so it never walks n x n pairs: full tiles (and global rows) add whole
// spans, other tiles go element by element through BlockLayout::allowed (the
// rule every backend uses), and cells taller than kRasterRowsPerCell rows
// are estimated from that many evenly spaced rows.
#pragma once

#include <cstdint>
#include <vector>

#include "attention/block_layout.hpp"
#include "common/cancel.hpp"

namespace attnscope {

constexpr int64_t kRasterRowsPerCell = 8;

struct LayoutRaster {
  int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;  // the region drawn: rows [i0, i1), keys [j0, j1)
  int64_t rows = 0, cols = 0;                // cells
  std::vector<float> fraction;               // rows x cols, row-major: computed pairs / pairs in the cell
  bool sampledRows = false;                  // some cells were estimated from a subset of their rows

  float at(int64_t r, int64_t c) const { return fraction[static_cast<size_t>(r * cols + c)]; }
  // First token of cell row r / column c: token i lies in cell row
  // (i - i0) * rows / (i1 - i0) (as in MapGrid), so a cell starts at the ceiling.
  int64_t rowBegin(int64_t r) const { return i0 + (r * (i1 - i0) + rows - 1) / rows; }
  int64_t colBegin(int64_t c) const { return j0 + (c * (j1 - j0) + cols - 1) / cols; }
};

// Rows [i0, i1) by keys [j0, j1) of the layout (clipped to it; i1 or j1 < 0:
// to the end) at min(extent, maxCells) cells a side.
LayoutRaster rasterizeLayout(const BlockLayout& layout, int64_t maxCells, const CancelToken* cancel = nullptr, int64_t i0 = 0, int64_t i1 = -1,
                             int64_t j0 = 0, int64_t j1 = -1);

}  // namespace attnscope
