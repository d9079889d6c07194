#include "topk_flash.hpp"

#include <algorithm>

#include "attention/band_helpers.hpp"
#include "topk_select.hpp"

namespace attnscope::kernels {

int64_t TopkPlan::rowLength(int64_t qb) const {
  const int64_t lastKey = causal ? qb : blocks - 1;
  const int64_t lo = std::max<int64_t>(0, qb - localLeft), hi = std::min(lastKey, qb + localRight);
  const int64_t local = std::max<int64_t>(0, hi - lo + 1);
  return local + std::min(topk, lastKey + 1 - local);
}

TopkPlan topkPlanFor(const AttentionSpec& spec, int64_t n) {
  TopkPlan p;
  p.n = n;
  p.block = spec.params.getInt("block");
  p.blocks = (n + p.block - 1) / p.block;
  p.topk = spec.params.getInt("topk");
  const band::BlockWindow window = band::blockWindow(spec.params.getInt("local_blocks"));
  p.localLeft = window.left;
  p.localRight = window.right;
  p.causal = spec.causal;
  return p;
}

std::string topkGpuSupports(const TopkPlan& p, int64_t maxSmemBytes) {
  if (static_cast<int64_t>(topkSelectSmemBytes(p.blocks)) <= maxSmemBytes) return {};
  const int64_t most = (maxSmemBytes - static_cast<int64_t>(topkSelectSmemBytes(0))) / 5;
  return "topk_dynamic on cuda scores at most " + std::to_string(most) + " key blocks per query block (got " + std::to_string(p.blocks) +
         " of " + std::to_string(p.block) + " tokens); a block of at least " + std::to_string((p.n + most - 1) / most) + " tokens fits";
}

BlockLayout topkPlaceholderLayout(const TopkPlan& p) {
  BlockLayout l;
  l.n = l.nKeys = p.n;
  l.block = p.block;
  l.causal = p.causal;
  for (int64_t qb = 0; qb < p.blocks; ++qb) {
    const int64_t m = p.rowLength(qb);
    for (int64_t e = 0; e < m; ++e) l.addTile(static_cast<int32_t>(e), TileMask::Full);
    l.endRow();
  }
  l.finish();
  return l;
}

}  // namespace attnscope::kernels
