// Maps at any resolution: for every registered variant, the pooled map (sum,
// max and computed-pair mask) equals the exact map pooled by hand, over the
// whole sequence and over a region; regions at full resolution equal the
// matching block of the exact map; the pair count agrees with the mask.
#include <QtTest>

#include "analysis/analysis_run.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "analysis_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

constexpr int64_t kN = 333;  // not a multiple of any tile, block or segment
constexpr int64_t kD = 16;

double worstDifference(const Mat& got, const MatD& expected) {
  double worst = 0;
  for (int64_t r = 0; r < expected.rows(); ++r)
    for (int64_t c = 0; c < expected.cols(); ++c) {
      const double e = expected(r, c), g = got(r, c);
      worst = std::max(worst, std::abs(g - e) / (1e-5 + 1e-4 * std::abs(e)));
    }
  return worst;  // <= 1 passes
}

}  // namespace

class TestMaps : public QObject {
  Q_OBJECT

 private slots:
  void pooledEqualsPooledExact_data() {
    QTest::addColumn<QString>("variant");
    QTest::addColumn<bool>("causal");
    for (const Variant* v : VariantRegistry::instance().all()) {
      const QString id = QString::fromStdString(v->info().id);
      QTest::addRow("%s", qPrintable(id)) << id << false;
      if (v->info().supportsCausal) QTest::addRow("%s causal", qPrintable(id)) << id << true;
    }
  }

  void pooledEqualsPooledExact() {
    QFETCH(QString, variant);
    QFETCH(bool, causal);
    const Variant& v = VariantRegistry::instance().get(variant.toStdString());
    AttentionSpec spec = makeSpec(variant.toStdString());
    spec.causal = causal;
    const Qkv qkv = randomQkv(kN, kD, 11, 0.7, true);
    const HeadInput in = headOf(qkv);
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    const MapGrid exact = exactMap(v, spec, in, ctx, 0, kN, 0, kN);
    QVERIFY(exact.exact());

    // Whole map at 37 x 37 cells (cells of 9 or 10 tokens), then a region at 29 x 23 cells.
    const std::vector<MapRequest> requests = {{0, 0, -1, 0, -1, 37}, {0, 50, 290, 20, 300, 29}, {0, 1, 332, 0, 333, 23}};
    for (const MapRequest& request : requests) {
      MapGrid pooled = MapGrid::forRequest(request, kN, kN);
      cpuKernel(spec).map(ctx, spec, in, pooled);
      QVERIFY(!pooled.exact());
      const Pooled expected = poolExact(exact, pooled);
      const QString where = QString("region [%1,%2)x[%3,%4) at %5 cells").arg(pooled.i0).arg(pooled.i1).arg(pooled.j0).arg(pooled.j1).arg(pooled.rows);
      QVERIFY2(worstDifference(pooled.sum, expected.sum) <= 1, qPrintable("sum differs, " + where));
      QVERIFY2(worstDifference(pooled.max, expected.max) <= 1, qPrintable("max differs, " + where));
      QVERIFY2(worstDifference(pooled.computed, expected.computed) <= 1, qPrintable("computed mask differs, " + where));
    }

    // A region at full resolution is the matching block of the exact map.
    MapRequest zoom{0, 100, 180, 40, 161, 4096};
    MapGrid region = MapGrid::forRequest(zoom, kN, kN);
    QVERIFY(region.exact());
    cpuKernel(spec).map(ctx, spec, in, region);
    const MatD block = exact.sum.block(100, 40, 80, 121).cast<double>();
    QVERIFY2(worstDifference(region.sum, block) <= 1, "zoomed region differs from the exact map");
  }

  void pairCountMatchesMaskForMaskVariants() {
    for (const Variant* v : VariantRegistry::instance().all()) {
      if (!v->info().maskBased) continue;
      const AttentionSpec spec = makeSpec(v->info().id);
      const Qkv qkv = randomQkv(kN, kD, 5);
      const HeadInput in = headOf(qkv);
      MemoryMeter meter;
      const MapGrid exact = exactMap(*v, spec, in, testContext(&meter), 0, kN, 0, kN);
      const PairCount pairs = countPairs(*v, spec, in);
      QCOMPARE(pairs.source, std::string("layout"));
      QVERIFY2(std::abs(pairs.computed - exact.computed.cast<double>().sum()) < 0.5, v->info().id.c_str());
      QCOMPARE(pairs.total, double(kN) * kN);
    }
  }

  void computedSpanCountsEachPairOnce() {
    MapGrid g = MapGrid::forRegion(0, 10, 0, 10, 3, 4);
    for (int64_t i = 0; i < 10; ++i) g.addComputedSpan(i, 0, i + 1);  // lower triangle
    double pairs = 0;
    for (int64_t r = 0; r < g.rows; ++r)
      for (int64_t c = 0; c < g.cols; ++c) pairs += g.computed(r, c) * static_cast<double>(g.cellPairs(r, c));
    QVERIFY(std::abs(pairs - 55.0) < 1e-4);
  }

  void defaultRequestIsExactUpTo4096() {
    QCOMPARE(defaultMapRequest(4096, 0, -1, 0, -1).maxCells, kExactMapLimit);
    QCOMPARE(defaultMapRequest(5000, 0, -1, 0, -1).maxCells, kPooledMapCells);
    QCOMPARE(defaultMapRequest(65536, 0, 4096, 1000, 5096).maxCells, kExactMapLimit);  // a zoomed region is exact
    QCOMPARE(defaultMapRequest(65536, 0, -1, 0, -1, 300).maxCells, int64_t{300});
  }
};

QTEST_APPLESS_MAIN(TestMaps)
#include "test_maps.moc"
