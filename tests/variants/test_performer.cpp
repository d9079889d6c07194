// performer (FAVOR+) against its explicit formula and its defining properties (DESIGN §3).
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "exec_context.hpp"

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/performer.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "naive_reference.hpp"
#include "profiling/profiler.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {


AttentionSpec performerSpec(int features, bool orthogonal, bool causal, int seed = 0) {
  AttentionSpec spec = makeSpec("performer");
  spec.params.setValue("features", int64_t{features});
  spec.params.setValue("orthogonal", orthogonal);
  spec.params.setValue("seed", int64_t{seed});
  spec.causal = causal;
  return spec;
}

// phi(x) = exp(W x' - |x'|^2 / 2) / sqrt(m), x' = x d^(-1/4), in double, unstabilised.
MatD features(const Mat& x, const MatD& w) {
  const double c = std::pow(static_cast<double>(x.cols()), -0.25);
  const MatD xs = x.cast<double>() * c;
  MatD phi = xs * w.transpose();
  for (int64_t i = 0; i < phi.rows(); ++i) phi.row(i) = (phi.row(i).array() - 0.5 * xs.row(i).squaredNorm()).exp().matrix();
  return phi / std::sqrt(static_cast<double>(w.rows()));
}

// A = D^-1 phi(Q) phi(K)^T (lower triangle when causal).
MatD explicitMatrix(const AttentionSpec& spec, const Mat& q, const Mat& k) {
  const MatD w = performerFeatureMatrix(spec, q.cols()).cast<double>();
  MatD a = features(q, w) * features(k, w).transpose();
  if (spec.causal) a = a.triangularView<Eigen::Lower>();
  for (int64_t i = 0; i < a.rows(); ++i) a.row(i) /= a.row(i).sum();
  return a;
}

// The causal prefix form: O_i = phi(q_i)^T S_i / phi(q_i)^T z_i with S_i, z_i running sums.
MatD causalPrefix(const AttentionSpec& spec, const Mat& q, const Mat& k, const Mat& v) {
  const MatD w = performerFeatureMatrix(spec, q.cols()).cast<double>();
  const MatD pq = features(q, w), pk = features(k, w), vd = v.cast<double>();
  MatD s = MatD::Zero(w.rows(), v.cols()), out(q.rows(), v.cols());
  Eigen::RowVectorXd z = Eigen::RowVectorXd::Zero(w.rows());
  for (int64_t i = 0; i < q.rows(); ++i) {
    s += pk.row(i).transpose() * vd.row(i);
    z += pk.row(i);
    out.row(i) = (pq.row(i) * s) / pq.row(i).dot(z);
  }
  return out;
}

Mat run(const AttentionSpec& spec, const Mat& q, const Mat& k, const Mat& v) {
  Mat out(q.rows(), v.cols());
  MemoryMeter meter;
  cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, v, out);
  return out;
}

MatD exactMap(const AttentionSpec& spec, const Mat& q, const Mat& k) {
  MemoryMeter meter;
  MapGrid grid = MapGrid::forRequest(MapRequest{}, q.rows(), q.rows());
  cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, k, nullptr, 0}, grid);
  return grid.sum.cast<double>();
}

}  // namespace

class TestPerformer : public QObject {
  Q_OBJECT

 private slots:
  void matchesExplicitFormula_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("m");
    QTest::addColumn<bool>("orthogonal");
    QTest::addColumn<bool>("causal");
    for (int n : {1, 5, 64, 333, 1100})  // 1100: the causal scan's parts hold several chunks, the last one short
      for (int m : {16, 70})
        for (bool orthogonal : {false, true})
          for (bool causal : {false, true})
            QTest::addRow("n%d_m%d_%s_%s", n, m, orthogonal ? "orth" : "iid", causal ? "causal" : "full") << n << m << orthogonal << causal;
  }
  void matchesExplicitFormula() {
    QFETCH(int, n);
    QFETCH(int, m);
    QFETCH(bool, orthogonal);
    QFETCH(bool, causal);
    const int d = 16;
    const AttentionSpec spec = performerSpec(m, orthogonal, causal, 5);
    for (int h = 0; h < 2; ++h) {
      const Mat q = randomMatrix(n, d, 11 + h), k = randomMatrix(n, d, 23 + h), v = randomMatrix(n, d, 37 + h);
      const Mat out = run(spec, q, k, v);
      const Mat expected = (explicitMatrix(spec, q, k) * v.cast<double>()).cast<float>();
      QVERIFY2(relativeMaxError(out, expected) < 1e-4, qPrintable(QString("relative error %1").arg(relativeMaxError(out, expected))));
      if (causal) QVERIFY(relativeMaxError(out, causalPrefix(spec, q, k, v).cast<float>()) < 1e-4);
    }
  }

  void mapRankAndRows() {
    const int n = 200, d = 16;
    const Mat q = randomMatrix(n, d, 1), k = randomMatrix(n, d, 2);
    for (bool causal : {false, true})
      for (int m : {4, 12}) {
        const AttentionSpec spec = performerSpec(m, true, causal);
        const MatD map = exactMap(spec, q, k);
        QVERIFY((map - explicitMatrix(spec, q, k)).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY((map.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-5);
        QVERIFY(map.minCoeff() >= 0);
        if (!causal) {  // a causal map is a masked low-rank matrix: full rank by design
          const Eigen::VectorXd sigma = singularValues(map);
          QVERIFY2(sigma(m) / sigma(0) < 1e-4, qPrintable(QString("m=%1: sigma_{m+1}/sigma_1 = %2").arg(m).arg(sigma(m) / sigma(0))));
        }
      }
  }

  void errorFallsAsFeaturesGrow() {
    const int n = 256, d = 16;
    for (bool causal : {false, true}) {
      double previous = 1e9;
      for (int m : {16, 64, 256}) {
        double err = 0;
        for (int h = 0; h < 3; ++h) {
          const Mat q = randomMatrix(n, d, 100 + h, 0.7), k = randomMatrix(n, d, 200 + h, 0.7), v = randomMatrix(n, d, 300 + h);
          const Mat dense = naiveAttention(q, k, v, causal ? causalMask() : MaskFn{});
          err += (run(performerSpec(m, true, causal), q, k, v) - dense).cwiseAbs().mean();
        }
        qInfo("causal=%d m=%d mean |error| %.5f", causal, m, err / 3);
        QVERIFY2(err < previous, qPrintable(QString("m=%1: error %2 not below %3").arg(m).arg(err).arg(previous)));
        previous = err;
      }
    }
  }

  void orthogonalFeatures() {
    const int d = 8;
    const Mat w = performerFeatureMatrix(performerSpec(20, true, false), d);
    QCOMPARE(w.rows(), 20);
    for (int b = 0; b < 20; b += d)
      for (int i = b; i < std::min(b + d, 20); ++i)
        for (int j = b; j < std::min(b + d, 20); ++j)
          if (i != j) QVERIFY(std::abs(w.row(i).dot(w.row(j))) < 1e-4 * w.row(i).norm() * w.row(j).norm());
  }

  void reproducibleBySeed() {
    const int n = 100, d = 16;
    const Mat q = randomMatrix(n, d, 1), k = randomMatrix(n, d, 2), v = randomMatrix(n, d, 3);
    const Mat a = run(performerSpec(32, true, false, 1), q, k, v), b = run(performerSpec(32, true, false, 1), q, k, v);
    const Mat c = run(performerSpec(32, true, false, 2), q, k, v);
    QCOMPARE(a, b);
    QVERIFY((a - c).cwiseAbs().maxCoeff() > 1e-3);
  }

  void transposedMatchesMap() {
    const int n = 333, d = 16;
    const Mat q = randomMatrix(n, d, 4), k = randomMatrix(n, d, 5), y = randomMatrix(n, 3, 6);
    for (bool causal : {false, true}) {
      const AttentionSpec spec = performerSpec(24, true, causal);
      Mat out(n, 3);
      MemoryMeter meter;
      cpuKernel(spec).applyTransposed(testContext(&meter), spec, HeadInput{q, k, k, nullptr, 0}, y, out);
      QVERIFY(relativeMaxError(out, (explicitMatrix(spec, q, k).transpose() * y.cast<double>()).cast<float>()) < 1e-4);
    }
  }

  void largeScoresStayFinite() {
    // Scores of order 100: the shared key shift and per-query shift keep exp in range.
    const int n = 300, d = 32;
    const Mat q = randomMatrix(n, d, 7, 4.0), k = randomMatrix(n, d, 8, 4.0), v = randomMatrix(n, d, 9);
    for (bool causal : {false, true}) QVERIFY(run(performerSpec(64, true, causal), q, k, v).allFinite());
  }

  void costAndWorkspace() {
    const Variant& variant = VariantRegistry::instance().get("performer");
    for (bool causal : {false, true}) {
      const AttentionSpec spec = performerSpec(64, true, causal);
      const Shape shape{4096, 32, 32, 1, causal, ThreadPool::shared().size()};
      const CostEstimate c = variant.cost(spec, shape);
      const Mat q = randomMatrix(4096, 32, 1), k = randomMatrix(4096, 32, 2), v = randomMatrix(4096, 32, 3);
      MemoryMeter meter;
      Mat out(4096, 32);
      cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, v, out);
      QVERIFY2(meter.peak() <= c.workspaceBytes && meter.peak() >= 0.5 * c.workspaceBytes,
               qPrintable(QString("causal=%1 peak %2, predicted %3").arg(causal).arg(meter.peak()).arg(c.workspaceBytes)));
    }
    QCOMPARE(variant.info().complexity, std::string("O(n m d)"));
  }
};

QTEST_APPLESS_MAIN(TestPerformer)
#include "test_performer.moc"
