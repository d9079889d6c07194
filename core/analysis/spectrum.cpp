#include "analysis/spectrum.hpp"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/map_grid.hpp"
#include "analysis/orthonormal.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "common/rng.hpp"

namespace attnscope {

namespace {

using MatD = Eigen::MatrixXd;  // column-major: what Eigen's decompositions prefer

std::vector<double> descending(const Eigen::VectorXd& values, int64_t keep) {
  std::vector<double> out(values.data(), values.data() + values.size());
  std::sort(out.begin(), out.end(), std::greater<double>());
  if (keep >= 0 && static_cast<int64_t>(out.size()) > keep) out.resize(static_cast<size_t>(keep));
  return out;
}

Spectrum exactSpectrum(const HeadOperator& op) {
  const int64_t n = op.n();
  MatD a;
  {
    // A itself, from the variant's map at one cell per pair.
    MeterCharge charge(op.ctx().meter, gridBytes(n, n));
    MapGrid grid = MapGrid::forRegion(0, n, 0, n, n, n);
    op.map(grid);
    grid.max.resize(0, 0);
    grid.computed.resize(0, 0);
    MeterCharge copy(op.ctx().meter, 8 * n * n);
    a = grid.sum.cast<double>();
  }
  op.ctx().checkCancelled();
  MeterCharge charge(op.ctx().meter, 8 * n * n);
  const Eigen::BDCSVD<MatD> svd(a);  // singular values only
  Spectrum s;
  s.method = "exact";
  s.n = n;
  s.sigma = descending(svd.singularValues(), -1);
  s.totalEnergy = a.squaredNorm();
  s.totalEnergySource = "exact";
  return s;
}

Spectrum randomizedSpectrum(const HeadOperator& op, const SpectrumOptions& o) {
  const int64_t n = op.n();
  const int64_t l = std::min(n, o.rank + o.oversample);
  Mat omega(n, l);
  Rng rng(o.seed);
  for (int64_t i = 0; i < omega.size(); ++i) omega.data()[i] = static_cast<float>(rng.normal());
  // Probes, range basis, transposed products, and the orthonormalization's
  // intermediate and result: six n x l float blocks.
  MeterCharge charge(op.ctx().meter, 6 * 4 * n * l);
  Mat y(n, l), z(n, l);
  op.apply(omega, y);
  // E ||A omega||_F^2 = l ||A||_F^2 for standard Gaussian omega.
  const double energyEstimate = static_cast<double>(y.cast<double>().squaredNorm()) / static_cast<double>(l);
  ThreadPool& pool = op.ctx().pool ? *op.ctx().pool : ThreadPool::shared();
  Mat q = orthonormalColumns(y, pool);
  for (int it = 0; it < o.powerIterations; ++it) {
    op.ctx().checkCancelled();
    op.applyTransposed(q, z);
    q = orthonormalColumns(z, pool);
    op.apply(q, y);
    q = orthonormalColumns(y, pool);
  }
  // B = Q^T A, so B^T = A^T Q = Q_z R; the singular values of R are B's, which
  // approximate A's leading ones.
  op.applyTransposed(q, z);
  const Eigen::BDCSVD<MatD> svd(triangularFactor(z, pool));
  Spectrum s;
  s.method = "randomized";
  s.n = n;
  s.sigma = descending(svd.singularValues(), std::min(o.rank, n));
  double captured = 0;
  for (double v : s.sigma) captured += v * v;
  s.totalEnergy = std::max(energyEstimate, captured);
  s.totalEnergySource = "probes";
  return s;
}

}  // namespace

void summarizeSpectrum(Spectrum& s) {
  s.cumulativeEnergy.assign(s.sigma.size(), 0.0);
  s.rank90 = s.rank99 = -1;
  double acc = 0, l1 = 0;
  for (size_t i = 0; i < s.sigma.size(); ++i) {
    acc += s.sigma[i] * s.sigma[i];
    l1 += s.sigma[i];
    const double c = s.totalEnergy > 0 ? std::min(1.0, acc / s.totalEnergy) : 0.0;
    s.cumulativeEnergy[i] = c;
    if (s.rank90 < 0 && c >= 0.9) s.rank90 = static_cast<int64_t>(i) + 1;
    if (s.rank99 < 0 && c >= 0.99) s.rank99 = static_cast<int64_t>(i) + 1;
  }
  // Entropy effective rank (Roy and Vetterli): exp(-sum p log p), p = sigma / sum sigma.
  double h = 0;
  for (double v : s.sigma)
    if (v > 0 && l1 > 0) h -= (v / l1) * std::log(v / l1);
  s.entropyRank = l1 > 0 ? std::exp(h) : 0.0;
  const double sigma1 = s.sigma.empty() ? 0.0 : s.sigma.front();
  s.tolerance = sigma1 * static_cast<double>(s.n) * static_cast<double>(std::numeric_limits<float>::epsilon());
  s.numericalRank = static_cast<int64_t>(std::count_if(s.sigma.begin(), s.sigma.end(), [&](double v) { return v > s.tolerance; }));
}

void addSpectrumMarks(Spectrum& s, const HeadExtras& extras) {
  for (const auto& [name, value] : extras.scalars) {
    std::string mark;
    if (name == "k_effective") mark = "k";
    else if (name == "features") mark = "m";
    else continue;
    SpectrumMark m;
    m.name = mark;
    m.index = static_cast<int64_t>(value);
    if (m.index >= 0 && m.index < static_cast<int64_t>(s.sigma.size()) && s.sigma.front() > 0)
      m.ratioAfter = s.sigma[static_cast<size_t>(m.index)] / s.sigma.front();
    s.marks.push_back(m);
  }
}

Spectrum computeSpectrum(const HeadOperator& op, const SpectrumOptions& options) {
  if (options.rank < 1) throw Error(ErrorKind::InvalidArgument, "spectrum rank must be at least 1, got " + std::to_string(options.rank));
  if (options.oversample < 0 || options.powerIterations < 0)
    throw Error(ErrorKind::InvalidArgument, "spectrum oversampling and power iterations must not be negative");
  Spectrum s = (op.n() <= options.exactMaxN && !options.forceRandomized) ? exactSpectrum(op) : randomizedSpectrum(op, options);
  summarizeSpectrum(s);
  return s;
}

}  // namespace attnscope
