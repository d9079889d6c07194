// The effective attention map of one head over a region, at display
// resolution: each cell holds the sum and the max of A over the pairs it covers.
// When every cell is one pair, the grid is the exact map.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/types.hpp"

namespace attnscope {

struct MapRequest {
  int head = 0;
  int64_t i0 = 0, i1 = -1;  // query rows [i0, i1); -1: to the end
  int64_t j0 = 0, j1 = -1;  // key columns [j0, j1)
  int64_t maxCells = 1024;  // per axis; regions up to this size are exact
};

struct MapGrid {
  int head = 0;
  int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
  int64_t rows = 0, cols = 0;  // cells
  Mat sum;                     // [rows x cols]
  Mat max;                     // [rows x cols]
  Mat computed;                // [rows x cols] fraction of the cell's pairs the variant computes (filled by mask-based variants)

  // Region clipped to [0, n) x [0, nKeys), cells = min(extent, maxCells).
  static MapGrid forRequest(const MapRequest& request, int64_t n, int64_t nKeys);
  // Region [i0, i1) x [j0, j1) at rows x cols cells, without the display cap
  // (row stripes for metrics are exact and as wide as the sequence).
  static MapGrid forRegion(int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t rows, int64_t cols);
  bool exact() const { return rows == i1 - i0 && cols == j1 - j0; }
  int64_t cellRow(int64_t i) const { return (i - i0) * rows / (i1 - i0); }
  int64_t cellCol(int64_t j) const { return (j - j0) * cols / (j1 - j0); }
  // Pairs (i, j) covered by cell (r, c).
  int64_t cellPairs(int64_t r, int64_t c) const;

  // Thread-safe accumulation of a tile p [rows x cols] of A at (ti, tj), stride
  // in floats; pairs outside the region are ignored.
  void addTile(int64_t ti, int64_t tj, const float* p, int64_t tileRows, int64_t tileCols, int64_t stride);
  // Marks computed pairs (for the sparsity view).
  void addComputed(int64_t ti, int64_t tj, const uint8_t* allowed, int64_t tileRows, int64_t tileCols, int64_t stride);
  void addValue(int64_t i, int64_t j, float a);
  // Marks the pairs (i, j), ja <= j < jb, as computed (clipped to the region).
  void addComputedSpan(int64_t i, int64_t ja, int64_t jb);

  // Mean of A over each cell (sum / pairs).
  Mat mean() const;

 private:
  std::shared_ptr<std::vector<std::mutex>> rowLocks_;
  std::mutex& lockFor(int64_t cellRow);
};

}  // namespace attnscope
