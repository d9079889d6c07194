#include "analysis/map_grid.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace attnscope {

MapGrid MapGrid::forRequest(const MapRequest& request, int64_t n, int64_t nKeys) {
  MapGrid g;
  g.i0 = std::clamp<int64_t>(request.i0, 0, n);
  g.i1 = request.i1 < 0 ? n : std::clamp<int64_t>(request.i1, 0, n);
  g.j0 = std::clamp<int64_t>(request.j0, 0, nKeys);
  g.j1 = request.j1 < 0 ? nKeys : std::clamp<int64_t>(request.j1, 0, nKeys);
  if (g.i1 <= g.i0 || g.j1 <= g.j0)
    throw Error(ErrorKind::InvalidArgument, "map region rows [" + std::to_string(request.i0) + ", " + std::to_string(request.i1) + ") x columns [" +
                                                std::to_string(request.j0) + ", " + std::to_string(request.j1) + ") is empty for n = " + std::to_string(n));
  if (request.maxCells < 1 || request.maxCells > 8192)
    throw Error(ErrorKind::InvalidArgument, "map size must be in [1, 8192], got " + std::to_string(request.maxCells));
  return forRegion(g.i0, g.i1, g.j0, g.j1, std::min(g.i1 - g.i0, request.maxCells), std::min(g.j1 - g.j0, request.maxCells));
}

MapGrid MapGrid::forRegion(int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t rows, int64_t cols) {
  if (i1 <= i0 || j1 <= j0 || rows < 1 || cols < 1 || rows > i1 - i0 || cols > j1 - j0)
    throw Error(ErrorKind::InvalidArgument, "map region rows [" + std::to_string(i0) + ", " + std::to_string(i1) + ") x columns [" +
                                                std::to_string(j0) + ", " + std::to_string(j1) + ") cannot hold " + std::to_string(rows) + " x " +
                                                std::to_string(cols) + " cells");
  MapGrid g;
  g.i0 = i0;
  g.i1 = i1;
  g.j0 = j0;
  g.j1 = j1;
  g.rows = rows;
  g.cols = cols;
  // Written, not calloc'ed: a calloc'ed grid's pages were first mapped by the
  // pooling's reads and then copied on its writes, each copy a TLB shootdown
  // across the workers (a quarter of a dense map's time at n = 8192).
  for (Mat* m : {&g.sum, &g.max, &g.computed}) {
    m->resize(g.rows, g.cols);
    m->setZero();
  }
  g.rowLocks_ = std::make_shared<std::vector<std::mutex>>(static_cast<size_t>(g.rows));
  return g;
}

int64_t MapGrid::cellPairs(int64_t r, int64_t c) const {
  // Rows covered by cell r: i with floor((i - i0) * rows / H) == r.
  auto first = [](int64_t cell, int64_t cells, int64_t extent) { return (cell * extent + cells - 1) / cells; };
  const int64_t h = i1 - i0, w = j1 - j0;
  const int64_t rowsIn = first(r + 1, rows, h) - first(r, rows, h);
  const int64_t colsIn = first(c + 1, cols, w) - first(c, cols, w);
  return rowsIn * colsIn;
}

std::mutex& MapGrid::lockFor(int64_t cellRow) {
  if (!rowLocks_) rowLocks_ = std::make_shared<std::vector<std::mutex>>(static_cast<size_t>(rows));
  return (*rowLocks_)[static_cast<size_t>(cellRow)];
}

void MapGrid::addTile(int64_t ti, int64_t tj, const float* p, int64_t tileRows, int64_t tileCols, int64_t stride) {
  const int64_t ra = std::max(ti, i0), rb = std::min(ti + tileRows, i1);
  const int64_t ca = std::max(tj, j0), cb = std::min(tj + tileCols, j1);
  if (ra >= rb || ca >= cb) return;
  // The tile's columns as runs of one cell each, found once per tile: a
  // division per pair cost more than the products that made the tile.
  struct Run {
    int64_t cell, begin, end;  // columns [begin, end) of the tile
  };
  std::vector<Run> runs;
  const int64_t w = j1 - j0;
  for (int64_t j = ca; j < cb;) {
    const int64_t c = cellCol(j);
    const int64_t end = std::min(cb, j0 + ((c + 1) * w + cols - 1) / cols);
    runs.push_back(Run{c, j - tj, end - tj});
    j = end;
  }
  int64_t lockedRow = -1;
  std::unique_lock<std::mutex> lock;
  for (int64_t i = ra; i < rb; ++i) {
    const int64_t r = cellRow(i);
    if (r != lockedRow) {
      lock = std::unique_lock<std::mutex>(lockFor(r));
      lockedRow = r;
    }
    const float* row = p + (i - ti) * stride;
    float* sumRow = &sum(r, 0);
    float* maxRow = &max(r, 0);
    for (const Run& run : runs) {
      float s = 0.0f, m = maxRow[run.cell];
      for (int64_t j = run.begin; j < run.end; ++j) {
        s += row[j];
        m = row[j] > m ? row[j] : m;
      }
      sumRow[run.cell] += s;
      maxRow[run.cell] = m;
    }
  }
}

void MapGrid::addComputed(int64_t ti, int64_t tj, const uint8_t* allowed, int64_t tileRows, int64_t tileCols, int64_t stride) {
  const int64_t ra = std::max(ti, i0), rb = std::min(ti + tileRows, i1);
  const int64_t ca = std::max(tj, j0), cb = std::min(tj + tileCols, j1);
  if (ra >= rb || ca >= cb) return;
  for (int64_t i = ra; i < rb; ++i) {
    const int64_t r = cellRow(i);
    std::lock_guard<std::mutex> lock(lockFor(r));
    for (int64_t j = ca; j < cb; ++j)
      if (allowed[(i - ti) * stride + (j - tj)]) computed(r, cellCol(j)) += 1.0f / static_cast<float>(cellPairs(r, cellCol(j)));
  }
}

void MapGrid::addValue(int64_t i, int64_t j, float a) {
  if (i < i0 || i >= i1 || j < j0 || j >= j1) return;
  const int64_t r = cellRow(i), c = cellCol(j);
  std::lock_guard<std::mutex> lock(lockFor(r));
  sum(r, c) += a;
  if (a > max(r, c)) max(r, c) = a;
}

void MapGrid::addComputedSpan(int64_t i, int64_t ja, int64_t jb) {
  ja = std::max(ja, j0);
  jb = std::min(jb, j1);
  if (i < i0 || i >= i1 || ja >= jb) return;
  const int64_t r = cellRow(i);
  std::lock_guard<std::mutex> lock(lockFor(r));
  for (int64_t j = ja; j < jb;) {
    // Columns of this cell inside [ja, jb), counted at once.
    const int64_t c = cellCol(j);
    const int64_t cellEnd = j0 + ((c + 1) * (j1 - j0) + cols - 1) / cols;
    const int64_t end = std::min(jb, cellEnd);
    computed(r, c) += static_cast<float>(end - j) / static_cast<float>(cellPairs(r, c));
    j = end;
  }
}

Mat MapGrid::mean() const {
  Mat m(rows, cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) m(r, c) = sum(r, c) / static_cast<float>(cellPairs(r, c));
  return m;
}

}  // namespace attnscope
