#include "backend/cpu/map_sink.hpp"

#include <algorithm>

namespace attnscope::cpu {

MapSink::MapSink(MapGrid& grid, const IsaTable& kern) : grid_(grid), kern_(kern), exact_(grid.exact()) {
  const int64_t w = grid.j1 - grid.j0;
  cellOf_.resize(static_cast<size_t>(std::max<int64_t>(0, w)));
  for (int64_t j = 0; j < w; ++j) cellOf_[static_cast<size_t>(j)] = static_cast<int32_t>(j * grid.cols / w);
  cellStart_.resize(static_cast<size_t>(grid.cols + 1));
  for (int64_t c = 0; c <= grid.cols; ++c) cellStart_[static_cast<size_t>(c)] = grid.j0 + (c * w + grid.cols - 1) / grid.cols;
}

void MapSink::begin(Local& local, int64_t i0, int64_t rows) const {
  if (exact_) return;
  const int64_t ra = std::max(i0, grid_.i0), rb = std::min(i0 + rows, grid_.i1);
  local.nr = ra < rb ? grid_.cellRow(rb - 1) - grid_.cellRow(ra) + 1 : 0;
  local.r0 = ra < rb ? grid_.cellRow(ra) : 0;
  const size_t cells = static_cast<size_t>(local.nr * grid_.cols);
  local.sum.assign(cells, 0.0f);
  local.max.assign(cells, 0.0f);
  local.count.assign(cells, 0.0f);
}

void MapSink::add(Local& local, int64_t i0, int64_t rows, const Segment& sg, const float* p, int64_t ldp) const {
  const int64_t ca = std::max(sg.j0, grid_.j0), cb = std::min(sg.j0 + sg.w, grid_.j1);
  if (ca >= cb) return;
  const int64_t ra = std::max<int64_t>(0, grid_.i0 - i0), rb = std::min(rows, grid_.i1 - i0);  // block rows in the region
  // Row r's allowed keys (inclusive), clipped to [ca, cb).
  auto range = [&](int64_t r, int64_t& lo, int64_t& hi) {
    lo = std::max(ca, sg.j0 + (sg.full ? 0 : sg.lo[r]));
    hi = std::min(cb - 1, sg.j0 + (sg.full ? sg.w - 1 : sg.hi[r]));
  };
  if (exact_) {
    for (int64_t r = ra; r < rb; ++r) {
      const float* row = p + r * ldp - sg.j0;
      const int64_t cr = i0 + r - grid_.i0;
      float* sum = &grid_.sum(cr, 0) - grid_.j0;
      float* mx = &grid_.max(cr, 0) - grid_.j0;
      float* comp = &grid_.computed(cr, 0) - grid_.j0;
      for (int64_t j = ca; j < cb; ++j) {
        sum[j] += row[j];
        mx[j] = std::max(mx[j], row[j]);
      }
      int64_t lo, hi;
      range(r, lo, hi);
      const uint8_t* em = sg.emask ? sg.emask + r * sg.w - sg.j0 : nullptr;
      for (int64_t j = lo; j <= hi; ++j)
        if (!em || em[j]) comp[j] += 1.0f;
    }
    return;
  }
  // Pooled: the rows of one cell row are reduced column by column (vector
  // code), allowed pairs are counted per column through a difference array
  // (O(1) per ranged row), and each cell then reduces its own columns.
  const int64_t w = cb - ca;
  local.colSum.resize(static_cast<size_t>(w));
  local.colMax.resize(static_cast<size_t>(w));
  local.diff.resize(static_cast<size_t>(w + 1));
  for (int64_t r = ra; r < rb;) {
    const int64_t cr = grid_.cellRow(i0 + r);
    int64_t r1 = r + 1;
    while (r1 < rb && grid_.cellRow(i0 + r1) == cr) ++r1;
    kern_.poolColumns(p + r * ldp + (ca - sg.j0), ldp, r1 - r, w, local.colSum.data(), local.colMax.data());
    int32_t* diff = local.diff.data();
    std::fill(diff, diff + w + 1, 0);
    for (int64_t rr = r; rr < r1; ++rr) {
      int64_t lo, hi;
      range(rr, lo, hi);
      if (hi < lo) continue;
      if (!sg.emask) {
        ++diff[lo - ca];
        --diff[hi - ca + 1];
        continue;
      }
      // Element-masked rows: add each allowed column as a unit step.
      const uint8_t* em = sg.emask + rr * sg.w - sg.j0;
      for (int64_t j = lo; j <= hi; ++j)
        if (em[j]) ++diff[j - ca], --diff[j - ca + 1];
    }
    const int64_t base = (cr - local.r0) * grid_.cols;
    float* sum = local.sum.data() + base;
    float* mx = local.max.data() + base;
    float* count = local.count.data() + base;
    int64_t running = 0;
    for (int64_t c = cellOf_[static_cast<size_t>(ca - grid_.j0)]; c < grid_.cols && cellStart_[static_cast<size_t>(c)] < cb; ++c) {
      const int64_t a = std::max(ca, cellStart_[static_cast<size_t>(c)]) - ca, b = std::min(cb, cellStart_[static_cast<size_t>(c) + 1]) - ca;
      float s = 0.0f, m = mx[c];
      int64_t k = 0;
      for (int64_t j = a; j < b; ++j) {
        s += local.colSum[static_cast<size_t>(j)];
        m = std::max(m, local.colMax[static_cast<size_t>(j)]);
        running += diff[j];
        k += running;
      }
      sum[c] += s;
      mx[c] = m;
      count[c] += static_cast<float>(k);
    }
    r = r1;
  }
}

void MapSink::flush(Local& local) {
  if (exact_ || local.nr == 0) return;
  const int64_t h = grid_.i1 - grid_.i0;
  std::lock_guard<std::mutex> lock(mutex_);
  for (int64_t r = 0; r < local.nr; ++r) {
    const int64_t cr = local.r0 + r;
    // Rows in cell row cr (as MapGrid::cellPairs counts them).
    const float rowsIn = static_cast<float>(((cr + 1) * h + grid_.rows - 1) / grid_.rows - (cr * h + grid_.rows - 1) / grid_.rows);
    for (int64_t c = 0; c < grid_.cols; ++c) {
      const size_t at = static_cast<size_t>(r * grid_.cols + c);
      if (local.count[at] == 0.0f && local.sum[at] == 0.0f) continue;
      grid_.sum(cr, c) += local.sum[at];
      grid_.max(cr, c) = std::max(grid_.max(cr, c), local.max[at]);
      const float colsIn = static_cast<float>(cellStart_[static_cast<size_t>(c) + 1] - cellStart_[static_cast<size_t>(c)]);
      if (local.count[at] > 0.0f) grid_.computed(cr, c) += local.count[at] / (rowsIn * colsIn);
    }
  }
}

}  // namespace attnscope::cpu
