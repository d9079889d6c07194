// hierarchical: blocks of b tokens (the last one may be short). Token i scores
// every key of its own block at full resolution, s q_i . k_j, and every other
// block c through one summary key, s q_i . mean(K over c), all in ONE softmax.
// The summary's value is the block mean of the values (of x in apply), so
//   out_i = sum_{j in own block} p_ij x_j + sum_{c != own} P_ic mean(x over c).
// The effective operator A spreads P_ic equally over the tokens of block c:
// A(i, j) = P_ic / |c| for j in c, which makes A x exact and rows sum to 1.
//
// Causal: token i sees its own block up to itself (j <= i) and the summaries
// of the blocks wholly before its own; a summary of the current or a later
// block would mix future tokens into the past.
#include <algorithm>
#include <cmath>

#include "attention/registry.hpp"
#include "attention/variant.hpp"
#include "attention/variants/hierarchical.hpp"

namespace attnscope {

namespace {

using hierarchical::Blocks;
using hierarchical::blocksFor;

class HierarchicalVariant final : public Variant {
 public:
  const VariantInfo& info() const override {
    static const VariantInfo i = [] {
      VariantInfo v;
      v.id = "hierarchical";
      v.title = "Hierarchical (own block + block summaries)";
      v.family = "hierarchical";
      v.complexity = "O(n (b + n/b) d)";
      v.memoryComplexity = "O(n d + (n/b) d)";
      v.useWhen = "every token needs a coarse view of the whole sequence and exact detail nearby; b ~ sqrt(n) balances the two";
      v.loses = "detail far away: a distant block is seen only through its mean key and mean value";
      v.params = {intParam("block", 64, 1, 1000000, "tokens per block: exact attention inside it, one summary per other block", "tokens")};
      v.supportsCausal = true;
      v.maskBased = false;
      v.displayOrder = 9;
      return v;
    }();
    return i;
  }

  CostEstimate cost(const AttentionSpec& spec, const Shape& s) const override {
    const Blocks bl = blocksFor(spec, std::max<int64_t>(1, s.n));
    const double n = static_cast<double>(s.n), b = static_cast<double>(bl.b), nb = static_cast<double>(bl.count);
    const double d = static_cast<double>(s.d), dv = static_cast<double>(s.dv), h = static_cast<double>(s.heads);
    // Own-block pairs plus one summary per other block, per query; when causal,
    // the own block's lower triangle and the summaries of earlier blocks.
    const double last = n - (nb - 1) * b;  // length of the (possibly short) last block
    const double perHead = s.causal ? (nb - 1) * b * (b + 1) / 2 + last * (last + 1) / 2 + b * (nb - 1) * (nb - 2) / 2 + last * (nb - 1)
                                    : (nb - 1) * b * b + last * last + n * (nb - 1);
    CostEstimate c;
    c.pairs = perHead * h;
    c.flops = c.pairs * 2.0 * (d + dv) + h * n * (d + dv);  // plus the block means of K and V
    // Q, K, V read for the means and the pass; the summaries are read once per run of rows.
    const double runs = std::ceil(n / static_cast<double>(bl.runRows()));
    c.bytesRead = 4.0 * h * (n * (d + 2.0 * (d + dv)) + runs * nb * (d + dv));
    c.bytesWritten = 4.0 * h * n * dv;
    c.workspaceBytes = hierarchicalWorkspaceBytes(spec, s);
    return c;
  }
};

const RegisterVariant<HierarchicalVariant> registration;

}  // namespace

}  // namespace attnscope
