// linformer against its explicit formula A = softmax(s Q (E K)^T) F (DESIGN §3).
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "exec_context.hpp"

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/linformer.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "naive_reference.hpp"
#include "profiling/profiler.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {


AttentionSpec linformerSpec(int k, const char* projection, bool share, int seed = 0) {
  AttentionSpec spec = makeSpec("linformer");
  spec.params.setValue("k", int64_t{k});
  spec.params.setValue("projection", std::string(projection));
  spec.params.setValue("share_ef", share);
  spec.params.setValue("seed", int64_t{seed});
  return spec;
}

// softmax(s Q (E K)^T) F, in double, from explicit E and F.
MatD explicitMatrix(const AttentionSpec& spec, const Mat& q, const Mat& k) {
  const int64_t n = q.rows();
  const MatD e = linformerProjection(spec, n, false).cast<double>(), f = linformerProjection(spec, n, true).cast<double>();
  MatD p = (q.cast<double>() * (e * k.cast<double>()).transpose()) / std::sqrt(static_cast<double>(q.cols()));
  for (int64_t i = 0; i < n; ++i) {
    p.row(i) = (p.row(i).array() - p.row(i).maxCoeff()).exp().matrix();
    p.row(i) /= p.row(i).sum();
  }
  return p * f;
}

MatD exactMap(const AttentionSpec& spec, const Mat& q, const Mat& k, const Mat& v) {
  MemoryMeter meter;
  MapGrid grid = MapGrid::forRequest(MapRequest{}, q.rows(), q.rows());
  cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, grid);
  return grid.sum.cast<double>();
}

}  // namespace

class TestLinformer : public QObject {
  Q_OBJECT

 private slots:
  void matchesExplicitFormula_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("k");
    QTest::addColumn<QString>("projection");
    QTest::addColumn<bool>("share");
    for (int n : {1, 5, 64, 333})
      for (int k : {1, 4, 64})
        for (const char* projection : {"gaussian", "mean_pool"})
          for (bool share : {false, true})
            QTest::addRow("n%d_k%d_%s_%s", n, k, projection, share ? "shared" : "separate") << n << (n == 333 ? 32 : 8) << k << QString(projection) << share;
  }
  void matchesExplicitFormula() {
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, k);
    QFETCH(QString, projection);
    QFETCH(bool, share);
    const AttentionSpec spec = linformerSpec(k, projection.toUtf8().constData(), share, 3);
    MemoryMeter meter;
    for (int h = 0; h < 2; ++h) {  // two heads
      const Mat q = randomMatrix(n, d, 11 + h, 1.2), kk = randomMatrix(n, d, 23 + h, 1.2), v = randomMatrix(n, d, 37 + h);
      Mat out(n, d);
      const HeadExtras extras = cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, kk, v, nullptr, h}, v, out);
      const Mat expected = (explicitMatrix(spec, q, kk) * v.cast<double>()).cast<float>();
      const double err = relativeMaxError(out, expected);
      QVERIFY2(err < 1e-5, qPrintable(QString("relative error %1").arg(err)));
      QCOMPARE(extras.scalars.front().second, static_cast<double>(std::min(k, n)));  // k is clamped to n
    }
    QCOMPARE(meter.current(), int64_t{0});
  }

  void mapIsExactAndRankAtMostK() {
    const int n = 200, d = 16;
    const Mat q = randomMatrix(n, d, 1, 1.5), k = randomMatrix(n, d, 2, 1.5), v = randomMatrix(n, d, 3);
    for (const char* projection : {"gaussian", "mean_pool"})
      for (int rank : {1, 8, 24}) {
        const AttentionSpec spec = linformerSpec(rank, projection, false);
        const MatD map = exactMap(spec, q, k, v);
        QVERIFY((map - explicitMatrix(spec, q, k)).cwiseAbs().maxCoeff() < 1e-5);
        const Eigen::VectorXd sigma = singularValues(map);
        QVERIFY2(sigma(rank) / sigma(0) < 1e-4, qPrintable(QString("%1 k=%2: sigma_{k+1}/sigma_1 = %3").arg(projection).arg(rank).arg(sigma(rank) / sigma(0))));
        QVERIFY(sigma(rank - 1) / sigma(0) > 1e-4);  // and the rank is really used
      }
  }

  void mapOfARegion() {
    const int n = 300, d = 8;
    const Mat q = randomMatrix(n, d, 4), k = randomMatrix(n, d, 5), v = randomMatrix(n, d, 6);
    const AttentionSpec spec = linformerSpec(16, "gaussian", false);
    MapRequest request;
    request.i0 = 37, request.i1 = 201, request.j0 = 90, request.j1 = 299;
    MapGrid grid = MapGrid::forRequest(request, n, n);
    MemoryMeter meter;
    cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, grid);
    const MatD full = explicitMatrix(spec, q, k);
    QVERIFY((grid.sum.cast<double>() - full.block(37, 90, 164, 209)).cwiseAbs().maxCoeff() < 1e-5);
  }

  void transposedMatchesMap() {
    const int n = 333, d = 8;
    const Mat q = randomMatrix(n, d, 7), k = randomMatrix(n, d, 8), v = randomMatrix(n, d, 9), y = randomMatrix(n, 3, 10);
    for (const char* projection : {"gaussian", "mean_pool"}) {
      const AttentionSpec spec = linformerSpec(12, projection, false);
      Mat out(n, 3);
      MemoryMeter meter;
      cpuKernel(spec).applyTransposed(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, y, out);
      const Mat expected = (explicitMatrix(spec, q, k).transpose() * y.cast<double>()).cast<float>();
      QVERIFY(relativeMaxError(out, expected) < 1e-5);
    }
  }

  void projections() {
    const int n = 333;
    // mean_pool: row r averages a contiguous span; the spans tile [0, n).
    const Mat pool = linformerProjection(linformerSpec(10, "mean_pool", false), n, false);
    QCOMPARE(pool.rows(), 10);
    QVERIFY((pool.rowwise().sum().array() - 1.0f).abs().maxCoeff() < 1e-5);
    for (int j = 0; j < n; ++j) QCOMPARE((pool.col(j).array() > 0).count(), Eigen::Index{1});
    // gaussian: N(0, 1/k) entries; share_ef gives E = F; the seed redraws.
    const AttentionSpec gaussian = linformerSpec(16, "gaussian", false, 1);
    const Mat e = linformerProjection(gaussian, 4096, false), f = linformerProjection(gaussian, 4096, true);
    const double mean = e.cast<double>().mean(), var = e.cast<double>().array().square().mean();
    QVERIFY(std::abs(mean) < 0.01);
    QVERIFY2(std::abs(var * 16 - 1.0) < 0.05, qPrintable(QString("variance x k = %1").arg(var * 16)));
    QVERIFY((e - f).cwiseAbs().maxCoeff() > 0.1);
    const AttentionSpec shared = linformerSpec(16, "gaussian", true, 1);
    QCOMPARE(linformerProjection(shared, 100, false), linformerProjection(shared, 100, true));
    QVERIFY(linformerProjection(linformerSpec(16, "gaussian", false, 2), 100, false) != linformerProjection(gaussian, 100, false));
  }

  void causalIsRefused() {
    AttentionSpec spec = makeSpec("linformer");
    spec.causal = true;
    const Variant& variant = VariantRegistry::instance().get("linformer");
    try {
      variant.validate(spec, Shape{16, 8, 8, 1, true, 1});
      QFAIL("causal linformer was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Unsupported);
      QVERIFY(QString(e.what()).contains("causal"));
    }
    const Mat q = randomMatrix(16, 8, 1);
    Mat out(16, 8);
    MemoryMeter meter;
    QVERIFY_THROWS_EXCEPTION(Error, cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, q, q, nullptr, 0}, q, out));
  }

  void parametersAreChecked() {
    AttentionSpec spec = makeSpec("linformer");
    try {
      spec.params.set("k", "0");
      QFAIL("k = 0 accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("'k'"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, spec.params.set("projection", "fourier"));
  }

  void costAndWorkspace() {
    const AttentionSpec spec = linformerSpec(32, "gaussian", false);
    const Variant& variant = VariantRegistry::instance().get("linformer");
    const Shape shape{4096, 32, 32, 2, false, ThreadPool::shared().size()};
    const CostEstimate c = variant.cost(spec, shape);
    QCOMPARE(c.pairs, 2.0 * 4096 * 32);
    QVERIFY(c.flops > 0 && c.bytesRead > 0 && c.bytesWritten > 0);
    const Mat q = randomMatrix(4096, 32, 1), k = randomMatrix(4096, 32, 2), v = randomMatrix(4096, 32, 3);
    Mat out(4096, 32);
    MemoryMeter meter;
    cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, v, out);
    QVERIFY2(meter.peak() <= c.workspaceBytes && meter.peak() >= 0.5 * c.workspaceBytes,
             qPrintable(QString("peak %1, predicted %2").arg(meter.peak()).arg(c.workspaceBytes)));
    QCOMPARE(variant.info().complexity, std::string("O(n k d)"));
  }
};

QTEST_APPLESS_MAIN(TestLinformer)
#include "test_linformer.moc"
