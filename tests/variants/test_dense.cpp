// dense against the naive reference (issue: foundation).
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "exec_context.hpp"

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/block_sparse.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "naive_reference.hpp"
#include "profiling/profiler.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestDense : public QObject {
  Q_OBJECT

 private slots:
  void matchesNaive_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("heads");
    QTest::addColumn<bool>("causal");
    for (int n : {1, 7, 64, 333, 1024})
      for (int d : {16, 64, 128})
        for (int heads : {1, 3})
          for (bool causal : {false, true})
            QTest::addRow("n%d_d%d_h%d_%s", n, d, heads, causal ? "causal" : "full") << n << d << heads << causal;
  }
  void matchesNaive() {
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, heads);
    QFETCH(bool, causal);
    const Variant& dense = VariantRegistry::instance().get("dense");
    AttentionSpec spec = makeSpec("dense");
    spec.causal = causal;
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    for (int h = 0; h < heads; ++h) {
      // Scores of order 1..10 so the softmax is neither flat nor one-hot.
      const Mat q = randomMatrix(n, d, 11 + h, 1.5), k = randomMatrix(n, d, 23 + h, 1.5), v = randomMatrix(n, d, 37 + h);
      Mat out(n, d);
      cpuKernel(spec).apply(ctx, spec, HeadInput{q, k, v, nullptr, h}, v, out);
      const Mat expected = naiveAttention(q, k, v, causal ? causalMask() : MaskFn{});
      const double err = (out - expected).cwiseAbs().maxCoeff();
      const double scale = expected.cwiseAbs().maxCoeff();
      QVERIFY2(err <= 1e-5 * scale, qPrintable(QString("max abs error %1 > 1e-5 x max|O| = %2").arg(err).arg(1e-5 * scale)));
    }
  }

  void neverAllocatesNSquared() {
    // n = 8192: an n x n float matrix would be 256 MiB; the tracked workspace stays tiny.
    const int n = 8192, d = 32;
    const Mat q = randomMatrix(n, d, 1), k = randomMatrix(n, d, 2), v = randomMatrix(n, d, 3);
    MemoryMeter meter;
    Mat out(n, d);
    cpuKernel(makeSpec("dense")).apply(testContext(&meter), makeSpec("dense"), HeadInput{q, k, v, nullptr, 0}, v, out);
    QVERIFY2(meter.peak() < 4 * 1024 * 1024, qPrintable(QString("peak workspace %1 bytes").arg(meter.peak())));
    QVERIFY(meter.peak() > 0);
    QCOMPARE(meter.current(), int64_t{0});
  }

  void exactMapMatchesNaive() {
    const int n = 200, d = 16;
    const Mat q = randomMatrix(n, d, 5, 1.5), k = randomMatrix(n, d, 6, 1.5), v = randomMatrix(n, d, 7);
    for (bool causal : {false, true}) {
      AttentionSpec spec = makeSpec("dense");
      spec.causal = causal;
      MemoryMeter meter;
      MapGrid grid = MapGrid::forRequest(MapRequest{}, n, n);
      cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, grid);
      QVERIFY(grid.exact());
      const MatD expected = naiveAttentionMatrix(q, k, causal ? causalMask() : MaskFn{});
      QVERIFY((grid.sum.cast<double>() - expected).cwiseAbs().maxCoeff() < 1e-6);
      QVERIFY((grid.sum.cast<double>().rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-5);
    }
  }

  void rowsWithoutKeysAreZero() {
    // A layout row that lists no tiles yields zero output, not NaN.
    BlockLayout layout;
    layout.n = layout.nKeys = 8;
    layout.block = 4;
    layout.endRow();  // query block 0: nothing
    layout.addTile(1, TileMask::Full);
    layout.endRow();
    layout.finish();
    const Mat q = randomMatrix(8, 4, 1), k = randomMatrix(8, 4, 2), v = randomMatrix(8, 4, 3);
    Mat out(8, 4);
    std::vector<float> lse(8);
    MemoryMeter meter;
    const BlockSparseStats stats = blockSparseForward(testContext(&meter), layout, q, k, v, 0.5f, out, lse.data());
    QCOMPARE(stats.tilesVisited, int64_t{1});
    QVERIFY(out.topRows(4).isZero());
    QVERIFY(std::isinf(lse[0]) && lse[0] < 0);
    QVERIFY(out.bottomRows(4).allFinite());
    QVERIFY(!out.bottomRows(4).isZero());
  }
};

QTEST_APPLESS_MAIN(TestDense)
#include "test_dense.moc"
