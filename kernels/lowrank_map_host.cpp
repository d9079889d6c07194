#include "lowrank_map.hpp"

namespace attnscope::kernels {

std::string lowRankMapCheckParams(const LowRankMapParams& p) {
  if (!p.left || !p.right) return "low-rank map: both factors are required";
  if (p.n < 1 || p.nKeys < 1 || p.rank < 1) return "low-rank map: n, keys and rank must be positive";
  if (p.causal && p.nKeys != p.n) return "low-rank map: a causal A is square";
  if (!p.mapSum || !p.mapMax) return "low-rank map: both cell arrays are required";
  if (p.i0 < 0 || p.i1 > p.n || p.i1 <= p.i0 || p.j0 < 0 || p.j1 > p.nKeys || p.j1 <= p.j0) return "low-rank map: region outside A";
  if (p.rows < 1 || p.cols < 1 || p.rows > p.i1 - p.i0 || p.cols > p.j1 - p.j0) return "low-rank map: cells do not fit the region";
  if (lowRankMapTilesX(p) > 0x7fffffff) return "low-rank map: region too wide for one launch";
  return {};
}

}  // namespace attnscope::kernels
