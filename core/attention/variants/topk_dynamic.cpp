// topk_dynamic: sparsity chosen by the input. With blocks of b tokens, each
// query block keeps its local blocks (local_blocks blocks centred on itself;
// an even count adds the extra on the right) plus the topk other key blocks
// with the highest estimated score mean(Q over the query block) . mean(K over
// the key block), ties to the lower block index; then attends exactly inside
// the kept blocks. Causal: only key blocks at or before the query block are
// candidates, and j <= i inside the diagonal block. When fewer blocks are left
// than topk asks for, all of them are kept.
#include <algorithm>
#include <numeric>

#include "attention/band_helpers.hpp"
#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"

namespace attnscope {

namespace {

// Mean of each b-row block of m (the last block may be short).
Mat blockMeans(ConstMatRef m, int64_t b) {
  const int64_t blocks = (m.rows() + b - 1) / b;
  Mat means(blocks, m.cols());
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t r0 = blk * b, rows = std::min(b, m.rows() - r0);
    means.row(blk) = m.middleRows(r0, rows).colwise().sum() / static_cast<float>(rows);
  }
  return means;
}

class TopkDynamicVariant final : public MaskVariant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "topk_dynamic";
      v.title = "Top-k dynamic blocks";
      v.family = "dynamic";
      v.complexity = "O(n (l + k) b d + (n/b)^2 d)";
      v.memoryComplexity = "O(n d + (n/b) d)";
      v.useWhen = "long inputs whose far dependencies are content-driven and clustered (retrieval, repeats, citations)";
      v.loses = "blocks whose mean score is low but that hold a few strong keys; the choice is a block-mean estimate";
      v.params = {intParam("block", 64, 1, 512, "tokens per block (the kernel tile)", "tokens"),
                  intParam("topk", 4, 0, 100000, "key blocks kept per query block by estimated score, beyond the local ones (clamped to what is left)", "blocks"),
                  intParam("local_blocks", 1, 0, 1023, "blocks around the diagonal always kept (1: the query's own block)", "blocks")};
      v.supportsCausal = true;
      v.maskBased = true;
      v.displayOrder = 10;
      return v;
    }();
    return i;
  }

  void validate(const AttentionSpec& spec, const Shape& shape) const override {
    Variant::validate(spec, shape);
    checkKeepsSomething(spec);
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    // The chosen blocks depend on the input; their number does not (except
    // through clamping), so the tile count is exact. Pairs are exact for the
    // local blocks (edges and the causal diagonal included) and assume whole
    // blocks for the chosen ones, which the input decides.
    const int64_t b = spec.params.getInt("block"), blocks = (s.n + b - 1) / b, topk = spec.params.getInt("topk");
    const band::BlockWindow window = band::blockWindow(spec.params.getInt("local_blocks"));
    double tiles = 0, pairs = 0;
    for (int64_t qb = 0; qb < blocks; ++qb) {
      const int64_t lastKey = s.causal ? qb : blocks - 1;
      const int64_t first = std::max<int64_t>(0, qb - window.left), last = std::min(lastKey, qb + window.right);
      const int64_t local = std::max<int64_t>(0, last - first + 1);
      const int64_t chosen = std::min(lastKey + 1, local + topk) - local;
      const double rows = static_cast<double>(std::min(b, s.n - qb * b));
      for (int64_t kb = first; kb <= last; ++kb) {
        const double cols = static_cast<double>(std::min(b, s.n - kb * b));
        pairs += (s.causal && kb == qb) ? rows * (rows + 1) / 2 : rows * cols;
      }
      pairs += static_cast<double>(chosen) * rows * static_cast<double>(b);
      tiles += static_cast<double>(local + chosen);
    }
    const double nb = static_cast<double>(blocks);
    pairs = std::min(pairs, s.causal ? static_cast<double>(s.n) * static_cast<double>(s.n + 1) / 2 : static_cast<double>(s.n) * static_cast<double>(s.n));
    CostEstimate c = band::blockSparseCost(s, b, tiles, pairs, band::layoutBytesFor(tiles, nb), kernelWorkspaceBytes(spec, s, b));
    // Choosing: block means of Q and K, then every query block against every key block.
    const double h = static_cast<double>(s.heads), d = static_cast<double>(s.d), n = static_cast<double>(s.n);
    c.flops += h * (2.0 * n * d + 2.0 * nb * nb * d);
    c.bytesRead += h * 4.0 * n * d;  // K read once more for its means (Q's pass shares the kernel's read)
    c.workspaceBytes += 4.0 * (2.0 * nb * d + nb * static_cast<double>(std::max(1, s.workers))) + 8.0 * nb * static_cast<double>(std::max(1, s.workers));
    return c;
  }

  std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& s, const HeadInput* input) const override {
    checkKeepsSomething(spec);
    if (!input)
      throw Error(ErrorKind::InvalidArgument, "topk_dynamic chooses its key blocks from Q and K; its layout needs the input, not only the shape");
    const int64_t b = spec.params.getInt("block"), topk = spec.params.getInt("topk");
    const band::BlockWindow window = band::blockWindow(spec.params.getInt("local_blocks"));
    const bool causal = spec.causal;
    const Mat queryMeans = blockMeans(input->q, b), keyMeans = blockMeans(input->k, b);
    const int64_t blocks = queryMeans.rows();

    std::vector<std::vector<int32_t>> kept(static_cast<size_t>(blocks));
    ThreadPool::shared().parallelFor(0, blocks, [&](int64_t qb, int) {
      const int64_t lastKey = causal ? qb : blocks - 1;
      const int64_t localLo = std::max<int64_t>(0, qb - window.left), localHi = std::min(lastKey, qb + window.right);
      std::vector<int32_t>& row = kept[static_cast<size_t>(qb)];
      for (int64_t kb = localLo; kb <= localHi; ++kb) row.push_back(static_cast<int32_t>(kb));
      // Candidates: key blocks [0, lastKey] outside the local range.
      std::vector<int32_t> candidates;
      for (int64_t kb = 0; kb <= lastKey; ++kb)
        if (kb < localLo || kb > localHi) candidates.push_back(static_cast<int32_t>(kb));
      const int64_t take = std::min<int64_t>(topk, static_cast<int64_t>(candidates.size()));
      if (take == 0) return;
      const Vec scores = keyMeans.topRows(lastKey + 1) * queryMeans.row(qb).transpose();
      auto better = [&](int32_t x, int32_t y) { return scores(x) > scores(y) || (scores(x) == scores(y) && x < y); };
      std::partial_sort(candidates.begin(), candidates.begin() + take, candidates.end(), better);
      row.insert(row.end(), candidates.begin(), candidates.begin() + take);
    });

    BlockLayout l;
    l.n = l.nKeys = s.n;
    l.block = b;
    l.causal = causal;
    for (const auto& row : kept) {
      for (int32_t kb : row) l.addTile(kb, TileMask::Full);
      l.endRow();
    }
    l.finish();
    return l;
  }

 private:
  static void checkKeepsSomething(const AttentionSpec& spec) {
    if (spec.params.getInt("topk") == 0 && spec.params.getInt("local_blocks") == 0)
      throw Error(ErrorKind::InvalidArgument, "topk_dynamic: topk and local_blocks are both 0, so no query would attend anything; set topk >= 1 or local_blocks >= 1");
  }
};

const RegisterVariant<TopkDynamicVariant> registration;

}  // namespace

}  // namespace attnscope
