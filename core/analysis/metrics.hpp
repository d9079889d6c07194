// Fidelity and structure of a head's attention against dense attention on the
// same Q, K, V (DESIGN §5). Row statistics are computed stripe by stripe: a
// few rows of A at full resolution at a time (from each variant's map), so
// nothing n x n is ever held, at any n.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/head_operator.hpp"

namespace attnscope {

// min, mean and max of a per-row number over the rows where it is defined.
struct RowSummary {
  double mean = 0, min = 0, max = 0;
  int64_t rows = 0;
  void add(double v);
  void finish();

 private:
  double sum_ = 0;
};

// Row-wise KL divergence, summarised: finite rows give mean and max; rows
// where the second distribution is zero where the first is positive are
// infinite; rows of A that are not probability distributions (a Gaussian
// Linformer projection makes negative weights) are undefined.
struct KlSummary {
  RowSummary finite;
  int64_t infiniteRows = 0;
  int64_t undefinedRows = 0;
};

struct GlobalMass {
  int64_t tokens = 0;       // global key positions
  std::string source;       // where they came from
  double variant = 0;       // mean over queries of the weight on global keys
  double dense = 0;
};

struct Metrics {
  int64_t n = 0;
  bool causalReference = false;   // dense reference is causal
  double outputRelativeError = 0; // ||O - O_dense||_F / ||O_dense||_F
  KlSummary klDenseToVariant;     // KL(A_dense(i,:) || A(i,:))
  KlSummary klVariantToDense;     // KL(A(i,:) || A_dense(i,:))
  RowSummary entropy, entropyDense;  // -sum a log a (nats), rows that are distributions
  double uniformEntropy = 0;      // log n: the entropy of a uniform row, for scale
  RowSummary distance, distanceDense;  // sum_j a_ij |i - j| (tokens)
  int64_t rowsNotDistributions = 0;    // rows of A with negative weights or a sum away from 1
  // Attention recall: per query, the share of dense attention mass on the keys
  // the variant weighs (A(i, j) != 0: its mask for sparse variants; every key
  // for low-rank ones); mean and worst (min) over queries.
  RowSummary recall;
  double frobeniusSquared = 0;    // ||A||_F^2, exact
  std::optional<GlobalMass> global;
  std::vector<double> memoryMassPerSegment;  // from the variant (slots or cache)
  std::optional<double> memoryMassMean;      // mean over segments
  int64_t stripeRows = 0;
};

// Entropy (nats) of a row that is a distribution.
double rowEntropy(const float* a, int64_t n);
// KL(p || q) over a row; +infinity when q is 0 where p is positive.
double rowKl(const float* p, const float* q, int64_t n);
// Weights non-negative (to float noise) and summing to 1 within 1e-3.
bool isDistribution(const float* a, int64_t n);

// Global key positions of a layout: its global columns, plus the tokens of
// its global key blocks. Empty when the variant has none.
std::vector<uint8_t> globalKeys(const BlockLayout& layout);

// out and outDense are the head's outputs [n x dv]; globals may be empty.
Metrics computeMetrics(const HeadOperator& variant, const HeadOperator& dense, const Mat& out, const Mat& outDense, const HeadExtras& extras,
                       const std::vector<uint8_t>& globals, const std::string& globalSource, int64_t stripeFloats = int64_t{1} << 20);

}  // namespace attnscope
