// Small shared pieces for the analysis suites: contexts, inputs, and a map
// pooled by hand from an exact one.
#pragma once

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "profiling/profiler.hpp"
#include "sequence/sequence.hpp"
#include "exec_context.hpp"
#include "naive_reference.hpp"

namespace attnscope::testing {

// One head of random Q, K, V (K = Q when tied, so rows attend themselves strongly).
inline Qkv randomQkv(int64_t n, int64_t d, uint64_t seed, double sigma = 1.0, bool tied = false) {
  Qkv qkv;
  qkv.q.push_back(randomMatrix(n, d, seed, sigma));
  qkv.k.push_back(tied ? qkv.q.front() : randomMatrix(n, d, seed + 1, sigma));
  qkv.v.push_back(randomMatrix(n, d, seed + 2));
  qkv.origin = "test";
  return qkv;
}

inline HeadInput headOf(const Qkv& qkv, int h = 0) {
  return HeadInput{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], nullptr, h};
}

// The exact map of rows [i0, i1) x columns [j0, j1), one cell per pair.
inline MapGrid exactMap(const Variant& v, const AttentionSpec& spec, const HeadInput& in, const ExecContext& ctx, int64_t i0, int64_t i1, int64_t j0,
                        int64_t j1) {
  MapGrid g = MapGrid::forRegion(i0, i1, j0, j1, i1 - i0, j1 - j0);
  cpuKernel(spec).map(ctx, spec, in, g);
  return g;
}

// `exact` (covering at least target's region, one cell per pair) pooled onto target's cells.
struct Pooled {
  MatD sum, max, computed;
};
inline Pooled poolExact(const MapGrid& exact, const MapGrid& target) {
  Pooled p{MatD::Zero(target.rows, target.cols), MatD::Constant(target.rows, target.cols, 0.0), MatD::Zero(target.rows, target.cols)};
  for (int64_t i = target.i0; i < target.i1; ++i)
    for (int64_t j = target.j0; j < target.j1; ++j) {
      const int64_t r = target.cellRow(i), c = target.cellCol(j);
      const double a = exact.sum(i - exact.i0, j - exact.j0);
      p.sum(r, c) += a;
      p.max(r, c) = std::max(p.max(r, c), a);
      p.computed(r, c) += exact.computed(i - exact.i0, j - exact.j0) / static_cast<double>(target.cellPairs(r, c));
    }
  return p;
}

}  // namespace attnscope::testing
