// Pools the probe's probability tiles into a MapGrid without a division or a
// lock per pair (MapGrid::addTile pays both, and cost the probe more than its
// arithmetic): column-to-cell boundaries are computed once per call, each
// worker sums a query block's rows into a small local strip of cells, and the
// strip is added to the grid under one lock per query block. An exact grid
// (one pair per cell) is written in place: its cell rows are query rows, which
// belong to one query block and so to one worker at a time.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "analysis/map_grid.hpp"
#include "backend/cpu/isa_table.hpp"

namespace attnscope::cpu {

class MapSink {
 public:
  MapSink(MapGrid& grid, const IsaTable& kern);

  struct Local {
    std::vector<float> sum, max, count, colSum, colMax;
    std::vector<int32_t> diff;
    int64_t r0 = 0, nr = 0;
  };
  // Starts query block rows [i0, i0 + rows).
  void begin(Local& local, int64_t i0, int64_t rows) const;
  // Adds the segment's probabilities p [rows x sg.w] and its allowed pairs.
  void add(Local& local, int64_t i0, int64_t rows, const Segment& sg, const float* p, int64_t ldp) const;
  void flush(Local& local);

 private:
  MapGrid& grid_;
  const IsaTable& kern_;
  bool exact_;
  std::vector<int32_t> cellOf_;     // per column of the region
  std::vector<int64_t> cellStart_;  // per cell: first column (absolute), plus one past the end
  std::mutex mutex_;
};

}  // namespace attnscope::cpu
