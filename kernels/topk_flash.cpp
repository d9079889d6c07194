#include "topk_flash.hpp"

#include <algorithm>

#include "attention/band_helpers.hpp"

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

BlockMeansParams topkMeansParams(const TopkPlan& plan, int heads, int64_t width, const float* src, float* dst) {
  BlockMeansParams p;
  p.src = src;
  p.dst = dst;
  p.heads = heads;
  p.rows = plan.n;
  p.width = width;
  p.block = plan.block;
  p.blocks = plan.blocks;
  p.srcHeadStride = plan.n * width;
  p.dstHeadStride = plan.blocks * width;
  return p;
}

TopkSelectParams topkSelectParams(const TopkPlan& plan, int heads, int64_t d, const float* queryMeans, const float* keyMeans, const int64_t* rowStart,
                                  int32_t* colBlock) {
  TopkSelectParams p;
  p.queryMeans = queryMeans;
  p.keyMeans = keyMeans;
  p.rowStart = rowStart;
  p.colBlock = colBlock;
  p.heads = heads;
  p.blocks = plan.blocks;
  p.d = d;
  p.topk = plan.topk;
  p.localLeft = plan.localLeft;
  p.localRight = plan.localRight;
  p.causal = plan.causal;
  return p;
}

}  // namespace attnscope::kernels
