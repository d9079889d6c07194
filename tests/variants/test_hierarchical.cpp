// hierarchical against a hand-built reference (DESIGN §3): for each token one
// softmax over [its own block's keys; the mean key of every other block], with
// the block-mean value for each summary. Causal: own block up to i, summaries
// of earlier blocks only.
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "sparse_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

// The effective A over tokens, in double: own-block weights per pair, each
// summary weight spread equally over its block's tokens.
MatD referenceA(const Mat& q, const Mat& k, int64_t b, bool causal) {
  const int64_t n = q.rows(), d = q.cols(), blocks = (n + b - 1) / b;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  MatD keyMeans = MatD::Zero(blocks, d);
  for (int64_t j = 0; j < n; ++j) keyMeans.row(j / b) += k.row(j).cast<double>();
  auto len = [&](int64_t c) { return std::min(b, n - c * b); };
  for (int64_t c = 0; c < blocks; ++c) keyMeans.row(c) /= static_cast<double>(len(c));
  MatD a = MatD::Zero(n, n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t own = i / b;
    // Scores of the softmax's entries: own keys, then summaries.
    std::vector<double> s;
    std::vector<int64_t> ownKeys, summaries;
    for (int64_t j = own * b; j < own * b + len(own); ++j)
      if (!causal || j <= i) {
        ownKeys.push_back(j);
        s.push_back(scale * q.row(i).cast<double>().dot(k.row(j).cast<double>()));
      }
    for (int64_t c = 0; c < blocks; ++c)
      if (c != own && (!causal || c < own)) {
        summaries.push_back(c);
        s.push_back(scale * q.row(i).cast<double>().dot(keyMeans.row(c)));
      }
    const double mx = *std::max_element(s.begin(), s.end());
    double sum = 0;
    for (double& x : s) sum += (x = std::exp(x - mx));
    size_t t = 0;
    for (int64_t j : ownKeys) a(i, j) = s[t++] / sum;
    for (int64_t c : summaries) {
      const double p = s[t++] / sum;
      for (int64_t j = c * b; j < c * b + len(c); ++j) a(i, j) = p / static_cast<double>(len(c));
    }
  }
  return a;
}

// The output by the definition's own formula: own keys' values plus block-mean values.
Mat referenceOutput(const Mat& q, const Mat& k, const Mat& v, int64_t b, bool causal) {
  const int64_t n = q.rows(), blocks = (n + b - 1) / b;
  const MatD a = referenceA(q, k, b, causal);
  MatD out = MatD::Zero(n, v.cols());
  MatD valueMeans = MatD::Zero(blocks, v.cols());
  for (int64_t j = 0; j < n; ++j) valueMeans.row(j / b) += v.row(j).cast<double>() / static_cast<double>(std::min(b, n - (j / b) * b));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < blocks; ++c) {
      if (c == i / b) {
        for (int64_t j = c * b; j < std::min(n, c * b + b); ++j) out.row(i) += a(i, j) * v.row(j).cast<double>();
      } else {
        // The summary's total weight times the block-mean value.
        out.row(i) += a.row(i).segment(c * b, std::min(b, n - c * b)).sum() * valueMeans.row(c);
      }
    }
  return out.cast<float>();
}

AttentionSpec hierSpec(int64_t block, bool causal) { return specWith("hierarchical", {"block=" + std::to_string(block)}, causal); }

}  // namespace

class TestHierarchical : public QObject {
  Q_OBJECT

 private slots:
  void matchesReference_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("block");
    for (int n : {1, 5, 64, 333})
      for (int block : {1, 4, 16, 64, 100, 500}) QTest::addRow("n%d_b%d", n, block) << n << block;
  }
  void matchesReference() {
    QFETCH(int, n);
    QFETCH(int, block);
    for (bool causal : {false, true})
      for (int head = 0; head < 2; ++head) {
        const HeadData data(n, 16, 1200 + 9 * head);
        const RunOutput r = runHead(hierSpec(block, causal), data, head);
        QString why;
        QVERIFY2(closeToReference(r.out, referenceOutput(data.q, data.k, data.v, block, causal), &why), qPrintable(QString(causal ? "causal: " : "") + why));
      }
  }

  void exactMapAndRatios() {
    const int n = 203, b = 25;
    const HeadData data(n, 16, 61);
    for (bool causal : {false, true}) {
      const AttentionSpec spec = hierSpec(b, causal);
      const MapGrid grid = exactMapOf(spec, data);
      const MatD a = referenceA(data.q, data.k, b, causal);
      QString why;
      QVERIFY2(mapMatches(grid, a, &why), qPrintable(why));
      // A x from the map equals apply: the map is the operator apply computes.
      const RunOutput r = runHead(spec, data);
      QVERIFY2(closeToReference(r.out, (grid.sum.cast<double>() * data.v.cast<double>()).cast<float>(), &why), qPrintable(why));
      for (int64_t i = 0; i < n; i += 7) {
        const int64_t s0 = (i / b) * b, s1 = std::min<int64_t>(n, s0 + b);
        // Within-block ratios are dense softmax's: A(i,j)/A(i,j') = exp(s q_i.k_j) / exp(s q_i.k_j').
        const int64_t ref = s0;  // j' (always allowed: s0 <= i)
        for (int64_t j = s0; j < (causal ? i + 1 : s1); ++j) {
          const double expected = std::exp(0.25 * data.q.row(i).cast<double>().dot((data.k.row(j) - data.k.row(ref)).cast<double>()));
          const double got = static_cast<double>(grid.sum(i, j)) / static_cast<double>(grid.sum(i, ref));
          QVERIFY2(std::abs(got - expected) <= 1e-4 * expected, qPrintable(QString("ratio at (%1, %2): %3 vs %4").arg(i).arg(j).arg(got).arg(expected)));
        }
        // A summary is spread evenly: A is constant over every other block it sees.
        for (int64_t c = 0; c * b < n; ++c) {
          if (c == i / b) continue;
          const int64_t c1 = std::min<int64_t>(n, c * b + b);
          for (int64_t j = c * b + 1; j < c1; ++j) QCOMPARE(grid.sum(i, j), grid.sum(i, c * b));
          if (causal && c > i / b) QCOMPARE(grid.sum(i, c * b), 0.0f);
        }
      }
    }
  }

  void summariesAreBlockMeans() {
    // A value matrix that is constant over each block: the summary then carries exactly
    // that constant, so each row of out is a convex mix of the block values.
    const int n = 96, b = 32;
    HeadData data(n, 8, 5);
    for (int64_t i = 0; i < n; ++i) data.v.row(i).setConstant(static_cast<float>(i / b) * 10.0f);
    const RunOutput r = runHead(hierSpec(b, false), data);
    const MatD a = referenceA(data.q, data.k, b, false);
    for (int64_t i = 0; i < n; ++i) {
      double expected = 0;
      for (int64_t c = 0; c < 3; ++c) expected += a.row(i).segment(c * b, b).sum() * 10.0 * static_cast<double>(c);
      QVERIFY(std::abs(r.out(i, 0) - expected) <= 1e-4 * std::max(1.0, expected));
    }
    // And for a general V, out differs from any per-token weighting other than the block mean:
    // swapping two tokens inside a block the query does not belong to leaves the output unchanged.
    HeadData swapped(n, 8, 5);
    const RunOutput base = runHead(hierSpec(b, false), swapped);
    swapped.v.row(70).swap(swapped.v.row(90));
    swapped.k.row(70).swap(swapped.k.row(90));
    const RunOutput after = runHead(hierSpec(b, false), swapped);
    QVERIFY((base.out.topRows(64) - after.out.topRows(64)).cwiseAbs().maxCoeff() < 1e-5);
  }

  void coarseMapSumsTheExactOne() {
    const int n = 300;
    const HeadData data(n, 8, 14);
    for (bool causal : {false, true}) {
      const AttentionSpec spec = hierSpec(23, causal);
      const MapGrid exact = exactMapOf(spec, data);
      MapRequest request;
      request.maxCells = 37;
      request.i0 = 10;
      request.j0 = 5;
      request.j1 = 290;
      MapGrid coarse = MapGrid::forRequest(request, n, n);
      MemoryMeter meter;
      cpuKernel(spec).map(testContext(&meter), spec, data.input(), coarse);
      Mat sums = Mat::Zero(coarse.rows, coarse.cols), maxes = Mat::Zero(coarse.rows, coarse.cols);
      for (int64_t i = coarse.i0; i < coarse.i1; ++i)
        for (int64_t j = coarse.j0; j < coarse.j1; ++j) {
          sums(coarse.cellRow(i), coarse.cellCol(j)) += exact.sum(i, j);
          maxes(coarse.cellRow(i), coarse.cellCol(j)) = std::max(maxes(coarse.cellRow(i), coarse.cellCol(j)), exact.sum(i, j));
        }
      QVERIFY((coarse.sum - sums).cwiseAbs().maxCoeff() < 1e-5);
      QVERIFY((coarse.max - maxes).cwiseAbs().maxCoeff() < 1e-6);
    }
  }

  void transposeMatchesTheMap() {
    const int n = 130;
    const HeadData data(n, 8, 3);
    for (bool causal : {false, true}) {
      const AttentionSpec spec = hierSpec(17, causal);
      const MatD a = referenceA(data.q, data.k, 17, causal);
      const Mat y = randomMatrix(n, 4, 8);
      Mat out(n, 4);
      MemoryMeter meter;
      cpuKernel(spec).applyTransposed(testContext(&meter), spec, data.input(), y, out);
      const MatD expected = a.transpose() * y.cast<double>();
      QVERIFY((out.cast<double>() - expected).cwiseAbs().maxCoeff() < 1e-5 * expected.cwiseAbs().maxCoeff());
    }
  }

  void workspaceStaysSmall() {
    // n = 6000 with one huge block and with tiny blocks: scratch stays bounded.
    const HeadData data(6000, 16, 2);
    for (int block : {1, 6000}) {
      MemoryMeter meter;
      Mat out(6000, 16);
      cpuKernel(hierSpec(block, false)).apply(testContext(&meter), hierSpec(block, false), data.input(), data.v, out);
      QVERIFY2(meter.peak() < 16 * 1024 * 1024, qPrintable(QString("block %1: peak %2 bytes").arg(block).arg(meter.peak())));
      QVERIFY(out.allFinite());
    }
  }
};

QTEST_APPLESS_MAIN(TestHierarchical)
#include "test_hierarchical.moc"
