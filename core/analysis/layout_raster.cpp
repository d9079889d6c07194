#include "analysis/layout_raster.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace attnscope {

namespace {

int64_t cellCol(const LayoutRaster& r, int64_t j) { return (j - r.j0) * r.cols / (r.j1 - r.j0); }

// Adds one computed pair count per key in [ja, jb) (clipped to the region) to the cells of a row.
void addSpan(const LayoutRaster& r, std::vector<double>& counts, int64_t cellRow, int64_t ja, int64_t jb) {
  ja = std::max(ja, r.j0);
  jb = std::min(jb, r.j1);
  if (jb <= ja) return;
  int64_t c = cellCol(r, ja);
  for (int64_t j = ja; j < jb; ++c) {
    const int64_t end = std::min(jb, r.colBegin(c + 1));
    counts[static_cast<size_t>(cellRow * r.cols + c)] += static_cast<double>(end - j);
    j = end;
  }
}

}  // namespace

LayoutRaster rasterizeLayout(const BlockLayout& layout, int64_t maxCells, const CancelToken* cancel, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if (maxCells < 1) throw Error(ErrorKind::InvalidArgument, "layout raster: maxCells must be at least 1");
  LayoutRaster r;
  r.i0 = std::clamp<int64_t>(i0, 0, layout.n);
  r.i1 = i1 < 0 ? layout.n : std::clamp<int64_t>(i1, r.i0, layout.n);
  r.j0 = std::clamp<int64_t>(j0, 0, layout.nKeys);
  r.j1 = j1 < 0 ? layout.nKeys : std::clamp<int64_t>(j1, r.j0, layout.nKeys);
  r.rows = std::min(r.i1 - r.i0, maxCells);
  r.cols = std::min(r.j1 - r.j0, maxCells);
  r.fraction.assign(static_cast<size_t>(r.rows * r.cols), 0.0f);
  if (r.rows == 0 || r.cols == 0) return r;

  std::vector<double> counts(r.fraction.size(), 0.0);
  std::vector<int64_t> rowsCounted(static_cast<size_t>(r.rows), 0);
  for (int64_t cr = 0; cr < r.rows; ++cr) {
    if (cancel && (cr & 63) == 0) cancel->check();
    const int64_t first = r.rowBegin(cr), last = r.rowBegin(cr + 1);
    const int64_t height = last - first;
    const int64_t samples = std::min(height, kRasterRowsPerCell);
    if (samples < height) r.sampledRows = true;
    for (int64_t s = 0; s < samples; ++s) {
      // Evenly spaced rows, the middle of each of `samples` equal parts.
      const int64_t i = samples == height ? first + s : first + (2 * s + 1) * height / (2 * samples);
      const int64_t qb = i / layout.block;
      const bool globalRow = layout.isGlobalRow(i);
      const int64_t causalEnd = layout.causal ? std::min(i + 1, layout.nKeys) : layout.nKeys;
      for (int64_t e = layout.rowBegin(qb); e < layout.rowEnd(qb); ++e) {
        const int64_t ta = static_cast<int64_t>(layout.tileCol(e)) * layout.block;
        const int64_t tb = std::min(ta + layout.block, causalEnd);
        if (layout.tileMask(e) == TileMask::Full || globalRow) {
          addSpan(r, counts, cr, ta, tb);
          continue;
        }
        for (int64_t j = std::max(ta, r.j0); j < std::min(tb, r.j1); ++j)
          if (layout.allowed(e, i, j)) counts[static_cast<size_t>(cr * r.cols + cellCol(r, j))] += 1.0;
      }
    }
    rowsCounted[static_cast<size_t>(cr)] = samples;
  }
  for (int64_t cr = 0; cr < r.rows; ++cr)
    for (int64_t c = 0; c < r.cols; ++c) {
      const double pairs = static_cast<double>(rowsCounted[static_cast<size_t>(cr)]) * static_cast<double>(r.colBegin(c + 1) - r.colBegin(c));
      const size_t k = static_cast<size_t>(cr * r.cols + c);
      r.fraction[k] = pairs > 0 ? static_cast<float>(counts[k] / pairs) : 0.0f;
    }
  return r;
}

}  // namespace attnscope
