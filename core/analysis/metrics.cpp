#include "analysis/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/map_grid.hpp"
#include "backend/cpu/thread_pool.hpp"

namespace attnscope {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Everything one row contributes.
struct RowOut {
  bool distribution = false, denseDistribution = false;
  double entropy = 0, entropyDense = 0;
  double distance = 0, distanceDense = 0;
  double klDenseToVariant = 0, klVariantToDense = 0;
  double global = 0, globalDense = 0;
  double squares = 0;
  double recall = 0;  // dense mass on the keys the variant weighs (A != 0)
};

RowOut rowOut(int64_t i, const float* a, const float* dense, int64_t n, const std::vector<int64_t>& globalList) {
  RowOut o;
  o.distribution = isDistribution(a, n);
  o.denseDistribution = isDistribution(dense, n);
  for (int64_t j = 0; j < n; ++j) {
    const double dist = static_cast<double>(std::abs(i - j));
    o.distance += static_cast<double>(a[j]) * dist;
    o.distanceDense += static_cast<double>(dense[j]) * dist;
    o.squares += static_cast<double>(a[j]) * static_cast<double>(a[j]);
    if (a[j] != 0.0f) o.recall += dense[j];
  }
  for (int64_t j : globalList) {
    o.global += a[j];
    o.globalDense += dense[j];
  }
  if (o.distribution) o.entropy = rowEntropy(a, n);
  if (o.denseDistribution) o.entropyDense = rowEntropy(dense, n);
  if (o.distribution && o.denseDistribution) {
    o.klDenseToVariant = rowKl(dense, a, n);
    o.klVariantToDense = rowKl(a, dense, n);
  }
  return o;
}

void addKl(KlSummary& s, bool defined, double v) {
  if (!defined) ++s.undefinedRows;
  else if (std::isinf(v)) ++s.infiniteRows;
  else s.finite.add(v);
}

// Rows [i0, i1) of an operator's A at full resolution.
Mat stripeOf(const HeadOperator& op, int64_t i0, int64_t i1) {
  const int64_t n = op.n();
  MeterCharge charge(op.ctx().meter, gridBytes(i1 - i0, n));
  MapGrid grid = MapGrid::forRegion(i0, i1, 0, n, i1 - i0, n);
  op.map(grid);
  return std::move(grid.sum);
}

}  // namespace

void RowSummary::add(double v) {
  if (rows == 0) min = max = v;
  min = std::min(min, v);
  max = std::max(max, v);
  sum_ += v;
  ++rows;
}

void RowSummary::finish() { mean = rows > 0 ? sum_ / static_cast<double>(rows) : 0.0; }

double rowEntropy(const float* a, int64_t n) {
  double h = 0;
  for (int64_t j = 0; j < n; ++j)
    if (a[j] > 0) h -= static_cast<double>(a[j]) * std::log(static_cast<double>(a[j]));
  return h;
}

double rowKl(const float* p, const float* q, int64_t n) {
  double kl = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (p[j] <= 0) continue;
    if (q[j] <= 0) return kInf;
    kl += static_cast<double>(p[j]) * (std::log(static_cast<double>(p[j])) - std::log(static_cast<double>(q[j])));
  }
  return std::max(0.0, kl);  // rounding can leave a tiny negative for equal rows
}

bool isDistribution(const float* a, int64_t n) {
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (a[j] < -1e-6f) return false;
    sum += a[j];
  }
  return std::abs(sum - 1.0) <= 1e-3;
}

std::vector<uint8_t> globalKeys(const BlockLayout& layout) {
  std::vector<uint8_t> flags(static_cast<size_t>(layout.nKeys), 0);
  bool any = false;
  for (int64_t j = 0; j < static_cast<int64_t>(layout.globalCol.size()); ++j)
    if (layout.globalCol[static_cast<size_t>(j)]) flags[static_cast<size_t>(j)] = 1, any = true;
  for (int32_t kb : layout.globalKeyBlocks)
    for (int64_t j = kb * layout.block; j < std::min(layout.nKeys, (kb + 1) * layout.block); ++j) flags[static_cast<size_t>(j)] = 1, any = true;
  if (!any) flags.clear();
  return flags;
}

Metrics computeMetrics(const HeadOperator& variant, const HeadOperator& dense, const Mat& out, const Mat& outDense, const HeadExtras& extras,
                       const std::vector<uint8_t>& globals, const std::string& globalSource, int64_t stripeFloats) {
  const int64_t n = variant.n();
  Metrics m;
  m.n = n;
  m.causalReference = dense.spec().causal;
  m.uniformEntropy = std::log(static_cast<double>(n));
  const double denseNorm = outDense.cast<double>().norm();
  const double diff = (out.cast<double>() - outDense.cast<double>()).norm();
  m.outputRelativeError = denseNorm > 0 ? diff / denseNorm : diff;

  std::vector<int64_t> globalList;
  for (int64_t j = 0; j < static_cast<int64_t>(globals.size()); ++j)
    if (globals[static_cast<size_t>(j)]) globalList.push_back(j);

  // Stripes of whole 64-row blocks (the tile height of the mask kernels), as
  // many rows as stripeFloats allows.
  int64_t stripe = std::max<int64_t>(64, stripeFloats / n / 64 * 64);
  stripe = std::min(stripe, n);
  m.stripeRows = stripe;
  ThreadPool& pool = variant.ctx().pool ? *variant.ctx().pool : ThreadPool::shared();
  std::vector<RowOut> rows(static_cast<size_t>(stripe));
  for (int64_t i0 = 0; i0 < n; i0 += stripe) {
    variant.ctx().checkCancelled();
    const int64_t i1 = std::min(n, i0 + stripe), count = i1 - i0;
    // Dense rows first, kept as a plain copy, so only one grid is alive at a time.
    const Mat denseRows = stripeOf(dense, i0, i1);
    MeterCharge denseCharge(variant.ctx().meter, 4 * denseRows.size());
    const Mat rowsA = stripeOf(variant, i0, i1);
    MeterCharge variantCharge(variant.ctx().meter, 4 * rowsA.size());
    pool.parallelFor(0, count, [&](int64_t r, int) {
      rows[static_cast<size_t>(r)] = rowOut(i0 + r, rowsA.data() + r * n, denseRows.data() + r * n, n, globalList);
    });
    // Reduced in row order, so the numbers do not depend on thread timing.
    for (int64_t r = 0; r < count; ++r) {
      const RowOut& o = rows[static_cast<size_t>(r)];
      if (!o.distribution) ++m.rowsNotDistributions;
      else m.entropy.add(o.entropy);
      if (o.denseDistribution) {
        m.entropyDense.add(o.entropyDense);
        m.recall.add(std::min(1.0, o.recall));
      }
      m.distance.add(o.distance);
      m.distanceDense.add(o.distanceDense);
      const bool defined = o.distribution && o.denseDistribution;
      addKl(m.klDenseToVariant, defined, o.klDenseToVariant);
      addKl(m.klVariantToDense, defined, o.klVariantToDense);
      m.frobeniusSquared += o.squares;
      if (!globalList.empty()) {
        if (!m.global) m.global = GlobalMass{static_cast<int64_t>(globalList.size()), globalSource, 0, 0};
        m.global->variant += o.global;
        m.global->dense += o.globalDense;
      }
    }
  }
  for (RowSummary* s : {&m.entropy, &m.entropyDense, &m.distance, &m.distanceDense, &m.klDenseToVariant.finite, &m.klVariantToDense.finite, &m.recall}) s->finish();
  if (m.global) {
    m.global->variant /= static_cast<double>(n);
    m.global->dense /= static_cast<double>(n);
  }
  m.memoryMassPerSegment = extras.memoryMass;
  if (!extras.memoryMass.empty()) {
    double sum = 0;
    for (double v : extras.memoryMass) sum += v;
    m.memoryMassMean = sum / static_cast<double>(extras.memoryMass.size());
  }
  return m;
}

}  // namespace attnscope
