#include "analysis/layout_raster.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace attnscope {

namespace {

// Adds one computed pair count per key in [ja, jb) to the cells of a row.
void addSpan(const LayoutRaster& r, std::vector<double>& counts, int64_t cellRow, int64_t ja, int64_t jb) {
  if (jb <= ja) return;
  int64_t c = ja * r.cols / r.nKeys;
  for (int64_t j = ja; j < jb; ++c) {
    const int64_t end = std::min(jb, r.colBegin(c + 1));
    counts[static_cast<size_t>(cellRow * r.cols + c)] += static_cast<double>(end - j);
    j = end;
  }
}

}  // namespace

LayoutRaster rasterizeLayout(const BlockLayout& layout, int64_t maxCells, const CancelToken* cancel) {
  if (maxCells < 1) throw Error(ErrorKind::InvalidArgument, "layout raster: maxCells must be at least 1");
  LayoutRaster r;
  r.n = layout.n;
  r.nKeys = layout.nKeys;
  r.rows = std::min(layout.n, maxCells);
  r.cols = std::min(layout.nKeys, maxCells);
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
        const int64_t j0 = static_cast<int64_t>(layout.tileCol(e)) * layout.block;
        const int64_t j1 = std::min(j0 + layout.block, causalEnd);
        if (layout.tileMask(e) == TileMask::Full || globalRow) {
          addSpan(r, counts, cr, j0, j1);
          continue;
        }
        for (int64_t j = j0; j < j1; ++j)
          if (layout.allowed(e, i, j)) counts[static_cast<size_t>(cr * r.cols + j * r.cols / r.nKeys)] += 1.0;
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
