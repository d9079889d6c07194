// The explorer's mask: rasterizeLayout against a plain count of
// BlockLayout::allowed over every pair of each cell, for every kind of tile
// (full, band with dilation, bits, global rows and columns, random blocks),
// causal and not, exact and pooled; and the sampled estimate for tall cells.
#include <QtTest>

#include "analysis/layout_raster.hpp"
#include "attention/registry.hpp"
#include "layout_cases.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

BlockLayout layoutOf(const LayoutCase& c, int64_t n) {
  AttentionSpec spec = makeSpec(c.variant);
  for (const std::string& p : c.params) spec.params.assign(p);
  spec.causal = c.causal;
  const Shape shape{n, 16, 16, 1, c.causal, 1};
  Mat zeros = Mat::Zero(n, 16);
  const HeadInput input{zeros, zeros, zeros, nullptr, 0};
  auto layout = VariantRegistry::instance().get(c.variant).layout(spec, shape, &input);
  if (!layout) throw std::runtime_error(c.name + ": no layout");
  return *layout;
}

// The fraction of each cell's pairs that the layout allows, pair by pair,
// over rows [i0, i1) by keys [j0, j1).
std::vector<double> plainFractions(const BlockLayout& l, int64_t rows, int64_t cols, int64_t i0 = 0, int64_t i1 = -1, int64_t j0 = 0, int64_t j1 = -1) {
  if (i1 < 0) i1 = l.n;
  if (j1 < 0) j1 = l.nKeys;
  const MaskFn allowed = maskOf(l);
  std::vector<double> count(static_cast<size_t>(rows * cols), 0.0), pairs(count.size(), 0.0);
  for (int64_t i = i0; i < i1; ++i)
    for (int64_t j = j0; j < j1; ++j) {
      const size_t k = static_cast<size_t>(((i - i0) * rows / (i1 - i0)) * cols + (j - j0) * cols / (j1 - j0));
      pairs[k] += 1;
      if (allowed(i, j)) count[k] += 1;
    }
  for (size_t k = 0; k < count.size(); ++k) count[k] = pairs[k] > 0 ? count[k] / pairs[k] : 0;
  return count;
}

}  // namespace

class TestLayoutRaster : public QObject {
  Q_OBJECT

 private slots:
  void equalsPlainCount_data() {
    QTest::addColumn<int>("caseIndex");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("cells");
    const auto cases = layoutCases();
    for (int k = 0; k < static_cast<int>(cases.size()); ++k) {
      // Exact cells, pooled cells of up to kRasterRowsPerCell rows (every row counted), ragged n.
      QTest::newRow((cases[k].name + "/exact").c_str()) << k << 97 << 128;
      QTest::newRow((cases[k].name + "/pooled").c_str()) << k << 203 << 37;
    }
  }

  void equalsPlainCount() {
    QFETCH(int, caseIndex);
    QFETCH(int, n);
    QFETCH(int, cells);
    const BlockLayout l = layoutOf(layoutCases()[static_cast<size_t>(caseIndex)], n);
    const LayoutRaster r = rasterizeLayout(l, cells);
    QCOMPARE(r.rows, std::min<int64_t>(n, cells));
    QCOMPARE(r.cols, std::min<int64_t>(n, cells));
    QVERIFY(!r.sampledRows);
    const std::vector<double> plain = plainFractions(l, r.rows, r.cols);
    for (int64_t a = 0; a < r.rows; ++a)
      for (int64_t b = 0; b < r.cols; ++b)
        if (std::abs(r.at(a, b) - plain[static_cast<size_t>(a * r.cols + b)]) > 1e-6)
          QFAIL(qPrintable(QString("cell (%1, %2): %3, plain count %4").arg(a).arg(b).arg(r.at(a, b)).arg(plain[static_cast<size_t>(a * r.cols + b)])));
  }

  // A zoomed region: the same plain count over its rows and keys, exact and pooled, clipped at the edges.
  void regionEqualsPlainCount() {
    for (size_t k = 0; k < layoutCases().size(); ++k) {
      const BlockLayout l = layoutOf(layoutCases()[k], 203);
      for (const auto& [i0, i1, j0, j1, cells] : std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>>{
               {30, 90, 10, 70, 128}, {100, 203, 0, 150, 29}, {150, 500, 180, 999, 64}}) {
        const LayoutRaster r = rasterizeLayout(l, cells, nullptr, i0, i1, j0, j1);
        QCOMPARE(r.i0, i0);
        QCOMPARE(r.i1, std::min<int64_t>(i1, 203));
        QCOMPARE(r.j1, std::min<int64_t>(j1, 203));
        const std::vector<double> plain = plainFractions(l, r.rows, r.cols, r.i0, r.i1, r.j0, r.j1);
        for (size_t c = 0; c < plain.size(); ++c)
          if (std::abs(r.fraction[c] - plain[c]) > 1e-6)
            QFAIL(qPrintable(QString("%1, region %2:%3 x %4:%5, cell %6: %7 vs %8").arg(QString::fromStdString(layoutCases()[k].name)).arg(i0).arg(i1).arg(j0).arg(j1).arg(c).arg(r.fraction[c]).arg(plain[c])));
      }
    }
  }

  // Tall cells are estimated from kRasterRowsPerCell rows: close to the count
  // of every row, and flagged as sampled.
  void tallCellsAreSampledClosely() {
    const BlockLayout l = layoutOf({"window", "sliding_window", {"window=40"}, true}, 2000);
    const LayoutRaster r = rasterizeLayout(l, 50);  // 40 rows a cell
    QVERIFY(r.sampledRows);
    const std::vector<double> plain = plainFractions(l, r.rows, r.cols);
    double worst = 0;
    for (size_t k = 0; k < plain.size(); ++k) worst = std::max(worst, std::abs(r.fraction[k] - plain[k]));
    QVERIFY2(worst < 0.1, qPrintable(QString("worst cell off by %1").arg(worst)));
    // The mass is right overall: the same number of computed pairs within 3%.
    double sumR = 0, sumP = 0;
    for (size_t k = 0; k < plain.size(); ++k) {
      sumR += r.fraction[k];
      sumP += plain[k];
    }
    QVERIFY2(std::abs(sumR - sumP) / sumP < 0.03, qPrintable(QString("%1 vs %2").arg(sumR).arg(sumP)));
  }

  // A long dense layout costs a walk over sampled rows, not over n² pairs.
  void longDenseLayoutIsFull() {
    const BlockLayout l = denseLayout(65536, 64, false);
    const LayoutRaster r = rasterizeLayout(l, 256);
    for (float f : r.fraction) QCOMPARE(f, 1.0f);
  }

  void cancels() {
    const BlockLayout l = denseLayout(8192, 64, true);
    CancelToken token;
    token.cancel();
    QVERIFY_THROWS_EXCEPTION(Error, rasterizeLayout(l, 512, &token));
  }

  void refusesNoCells() { QVERIFY_THROWS_EXCEPTION(Error, rasterizeLayout(denseLayout(10, 4, false), 0)); }
};

QTEST_MAIN(TestLayoutRaster)
#include "test_layout_raster.moc"
