#include <cstring>
#include <limits>

#include "flash_probe.hpp"

namespace attnscope::kernels {

std::string probeCheckParams(const FlashProbeParams& p) {
  if (!p.q || !p.k || !p.lse) return "probe: Q, K and the row log-sum-exps are required";
  if (p.n < 1 || p.nKeys < 1 || p.d < 1) return "probe: n, keys and d must be positive";
  // The element rule keeps positions in 32 bits (flashDilationResidue).
  if (p.n > std::numeric_limits<int32_t>::max() || p.nKeys > std::numeric_limits<int32_t>::max()) return "probe: more than 2^31 - 1 rows or keys";
  if (p.layout.block < 1 || p.layout.block > kFlashMaxBlock) return "probe: layout block edge outside 1 .. 2^31 - 1";
  if (p.layout.bits && p.layout.block > kFlashBitsMaxBlock) return "probe: explicit-bit tiles wider than 65536";
  if (p.layout.n != p.n || p.layout.nKeys != p.nKeys) return "probe: the layout's n and keys differ from Q's and K's";
  if (p.mode == ProbeMode::Apply || p.mode == ProbeMode::ApplyTransposed) {
    if (!p.x || !p.out || p.columns < 1) return "probe: apply needs x, out and at least one column";
  }
  if (p.mode == ProbeMode::Map) {
    if (!p.mapSum || !p.mapMax || !p.mapCount) return "probe: map needs its three cell arrays";
    if (p.i0 < 0 || p.i1 > p.n || p.i1 <= p.i0 || p.j0 < 0 || p.j1 <= p.j0 || (p.spreadStart < 0 && p.j1 > p.nKeys)) return "probe: map region outside the head";
    if (p.rows < 1 || p.cols < 1 || p.rows > p.i1 - p.i0 || p.cols > p.j1 - p.j0) return "probe: map cells do not fit the region";
    if (p.spreadStart >= 0 && (p.spreadBlock < 1 || p.tokens < 1 || p.spreadStart > p.nKeys)) return "probe: bad summary spread";
    if (p.spreadStart >= 0 ? p.j1 > p.tokens : false) return "probe: map region outside the tokens";
  }
  return {};
}

void setProbeRegion(FlashProbeParams& p, const MapGrid& grid) {
  p.mode = ProbeMode::Map;
  copyMapRegion(p, grid);
}

void addProbeCells(MapGrid& grid, const float* sum, const uint32_t* maxBits, const unsigned long long* count) {
  addCellSumsAndMaxima(grid, sum, maxBits);
  for (int64_t r = 0; r < grid.rows; ++r)
    for (int64_t c = 0; c < grid.cols; ++c)
      grid.computed(r, c) += static_cast<float>(count[r * grid.cols + c]) / static_cast<float>(grid.cellPairs(r, c));
}

void addCellSumsAndMaxima(MapGrid& grid, const float* sum, const uint32_t* maxBits) {
  for (int64_t r = 0; r < grid.rows; ++r)
    for (int64_t c = 0; c < grid.cols; ++c) {
      const int64_t at = r * grid.cols + c;
      float mx;
      std::memcpy(&mx, &maxBits[at], 4);
      grid.sum(r, c) += sum[at];
      if (mx > grid.max(r, c)) grid.max(r, c) = mx;
    }
}

}  // namespace attnscope::kernels
