// A held as factors (attention/low_rank_factors.hpp): linformer's and
// performer's factors form exactly the map their kernels form (A(i, j) =
// s_i L_i . R_j, masked where causal), and the host products from factors
// (analysis/low_rank_products) equal A x and A^T y through an explicit A,
// at lengths that are not multiples of the scan's chunks or parts.
#include <QtTest>

#include "analysis/low_rank_products.hpp"
#include "analysis_test_helpers.hpp"
#include "common/error.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

MatD explicitA(const LowRankFactors& f) {
  MatD a = (f.left.cast<double>() * f.right.cast<double>().transpose());
  for (int64_t i = 0; i < a.rows(); ++i) {
    a.row(i) *= f.scale(i);
    if (f.causal)
      for (int64_t j = i + 1; j < a.cols(); ++j) a(i, j) = 0.0;
  }
  return a;
}

double relativeError(const Mat& got, const MatD& expected) {
  return (got.cast<double>() - expected).norm() / std::max(1e-30, expected.norm());
}

LowRankFactors randomFactors(int64_t n, int64_t keys, int64_t r, bool causal, bool scaled, uint64_t seed) {
  LowRankFactors f;
  f.left = randomMatrix(n, r, seed);
  f.right = randomMatrix(keys, r, seed + 1);
  f.causal = causal;
  if (scaled) {
    const Mat s = randomMatrix(n, 1, seed + 2);
    for (int64_t i = 0; i < n; ++i) f.rowScale.push_back(0.5f + std::abs(s(i, 0)));
  }
  return f;
}

}  // namespace

class TestLowRankFactors : public QObject {
  Q_OBJECT

 private slots:
  void factorsFormTheKernelsMap_data() {
    QTest::addColumn<QString>("variant");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("causal");
    QTest::addRow("linformer gaussian") << "linformer" << "projection" << "gaussian" << false;
    QTest::addRow("linformer mean_pool") << "linformer" << "projection" << "mean_pool" << false;
    QTest::addRow("performer") << "performer" << "orthogonal" << "true" << false;
    QTest::addRow("performer causal") << "performer" << "orthogonal" << "true" << true;
    QTest::addRow("performer iid causal") << "performer" << "orthogonal" << "false" << true;
  }

  void factorsFormTheKernelsMap() {
    QFETCH(QString, variant);
    QFETCH(QString, param);
    QFETCH(QString, value);
    QFETCH(bool, causal);
    AttentionSpec spec = makeSpec(variant.toStdString());
    spec.params.set(param.toStdString(), value.toStdString());
    if (variant == "linformer") spec.params.set("k", "24");
    else spec.params.set("features", "32");
    spec.causal = causal;
    const int64_t n = 301, d = 16;
    const Qkv qkv = randomQkv(n, d, 5, 0.8);
    const HeadInput in = headOf(qkv);
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    const HeadKernel& kernel = cpuKernel(spec);
    const std::optional<LowRankFactors> f = kernel.factors(ctx, spec, in);
    QVERIFY(f);
    QCOMPARE(f->n(), n);
    QCOMPARE(f->keys(), n);
    QCOMPARE(f->causal, causal);
    const MatD a = explicitA(*f);
    const MapGrid exact = exactMap(VariantRegistry::instance().get(spec.variant), spec, in, ctx, 0, n, 0, n);
    QVERIFY2(relativeError(exact.sum, a) < 1e-5, qPrintable(QString("map vs factors: %1").arg(relativeError(exact.sum, a))));
    Mat out(n, d);
    kernel.apply(ctx, spec, in, in.v, out);
    QVERIFY(relativeError(out, a * in.v.cast<double>()) < 1e-5);
    if (causal) QCOMPARE(a(10, 11), 0.0);
  }

  void otherVariantsHaveNoFactors() {
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    const Qkv qkv = randomQkv(64, 8, 3);
    for (const char* id : {"dense", "sliding_window", "memory_slots", "hierarchical"}) {
      const AttentionSpec spec = makeSpec(id);
      QVERIFY2(!cpuKernel(spec).factors(ctx, spec, headOf(qkv)), id);
    }
  }

  void productsEqualExplicitA_data() {
    QTest::addColumn<qlonglong>("n");
    QTest::addColumn<qlonglong>("keys");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<bool>("scaled");
    QTest::addRow("square") << 333LL << 333LL << false << true;
    QTest::addRow("wide keys") << 150LL << 401LL << false << false;
    QTest::addRow("causal") << 333LL << 333LL << true << true;
    QTest::addRow("causal unscaled") << 700LL << 700LL << true << false;
    QTest::addRow("causal, fewer rows than parts") << 5LL << 5LL << true << true;
    QTest::addRow("causal, one row") << 1LL << 1LL << true << true;
  }

  void productsEqualExplicitA() {
    QFETCH(qlonglong, n);
    QFETCH(qlonglong, keys);
    QFETCH(bool, causal);
    QFETCH(bool, scaled);
    const LowRankFactors f = randomFactors(n, keys, 12, causal, scaled, 21);
    const MatD a = explicitA(f);
    ThreadPool& pool = ThreadPool::shared();
    for (int64_t c : {1, 7}) {
      const Mat x = randomMatrix(keys, c, 31), y = randomMatrix(n, c, 41);
      Mat out(n, c), outT(keys, c);
      lowRankApply(f, x, out, pool);
      lowRankApplyTransposed(f, y, outT, pool);
      QVERIFY2(relativeError(out, a * x.cast<double>()) < 1e-5, qPrintable(QString("A x, c = %1").arg(c)));
      QVERIFY2(relativeError(outT, a.transpose() * y.cast<double>()) < 1e-5, qPrintable(QString("A^T y, c = %1").arg(c)));
    }
  }

  void productsRejectWrongShapes() {
    const LowRankFactors f = randomFactors(20, 30, 4, false, false, 1);
    Mat out(20, 2), outT(30, 2);
    QVERIFY_THROWS_EXCEPTION(Error, lowRankApply(f, Mat(20, 2), out, ThreadPool::shared()));  // x must have nKeys rows
    QVERIFY_THROWS_EXCEPTION(Error, lowRankApplyTransposed(f, Mat(30, 2), outT, ThreadPool::shared()));
    LowRankFactors bad = f;
    bad.causal = true;  // causal needs a square A
    QVERIFY_THROWS_EXCEPTION(Error, lowRankApply(bad, Mat(30, 2), out, ThreadPool::shared()));
  }

  void cancelStopsTheScan() {
    const LowRankFactors f = randomFactors(400, 400, 4, true, false, 2);
    CancelToken cancel;
    cancel.cancel();
    Mat out(400, 2);
    QVERIFY_THROWS_EXCEPTION(Error, lowRankApply(f, Mat::Ones(400, 2), out, ThreadPool::shared(), &cancel));
  }
};

QTEST_MAIN(TestLowRankFactors)
#include "test_low_rank_factors.moc"
