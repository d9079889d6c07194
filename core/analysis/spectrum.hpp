// Singular values of a head's effective attention matrix A (DESIGN §5):
// exact (Eigen's BDCSVD on A built by the variant's map) for small n, and a
// randomized SVD (range finder with power iterations) for large n that uses
// the variant as a matrix-free operator: A X is apply(x = X), A^T Y is
// applyTransposed(Y). Nothing n x n is formed on the randomized path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/head_operator.hpp"

namespace attnscope {

struct SpectrumOptions {
  int64_t exactMaxN = 2048;  // exact SVD up to this n
  int64_t rank = 64;         // randomized: how many leading values to return
  int64_t oversample = 16;   // extra probe columns beyond rank
  int powerIterations = 4;   // sharpen the range finder (each costs one A and one A^T product)
  uint64_t seed = 0x5EC7A1;
  bool forceRandomized = false;
};

// A rank the variant is built around (linformer's k, performer's m), with
// sigma_{index+1} / sigma_1 when that value is among those returned.
struct SpectrumMark {
  std::string name;
  int64_t index = 0;
  double ratioAfter = -1;  // -1: not available
};

struct Spectrum {
  std::string method;  // "exact" or "randomized"
  int64_t n = 0;
  std::vector<double> sigma;             // descending
  std::vector<double> cumulativeEnergy;  // sum_{i <= r} sigma_i^2 / totalEnergy
  double totalEnergy = 0;                // ||A||_F^2
  std::string totalEnergySource;         // "exact" or "probes" (Gaussian trace estimate)
  double entropyRank = 0;                // exp(entropy of sigma / sum sigma) over the values returned
  int64_t rank90 = -1, rank99 = -1;      // fewest values holding 90% / 99% of the energy; -1: not within those returned
  int64_t numericalRank = 0;             // values above tolerance
  double tolerance = 0;                  // sigma_1 * n * float epsilon
  std::vector<SpectrumMark> marks;
};

Spectrum computeSpectrum(const HeadOperator& op, const SpectrumOptions& options);

// Fills the summary fields from sigma (descending) and the total energy.
void summarizeSpectrum(Spectrum& s);

// Marks from the variant's own numbers: a "k_effective" scalar becomes mark k,
// a "features" scalar mark m.
void addSpectrumMarks(Spectrum& s, const HeadExtras& extras);

}  // namespace attnscope
