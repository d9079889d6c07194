// The fast CPU kernels on every ISA path this CPU has (forced in turn),
// against the plain double-precision reference: the block-sparse forward and
// its row log-sum-exps, the map probe, the transposed product, and sgemm.
#include <QtTest>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/cpu/block_sparse.hpp"
#include "backend/cpu/block_sparse_plain.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/gemm.hpp"
#include "backend/cpu/gram.hpp"
#include "exec_context.hpp"
#include "layout_cases.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

const char* kIsas[] = {"avx512", "avx2", "generic"};
CpuIsa isaOf(const QString& name) { return name == "avx512" ? CpuIsa::Avx512 : name == "avx2" ? CpuIsa::Avx2 : CpuIsa::Generic; }

}  // namespace

class TestCpuKernels : public QObject {
  Q_OBJECT

  CpuIsa original_ = CpuIsa::Generic;

  // Forces the row's ISA, or skips with the reason.
  bool force(const QString& isa) {
    if (!setCpuIsa(isaOf(isa))) {
      qInfo("skipping the %s path: this CPU does not have it", qPrintable(isa));
      return false;
    }
    return true;
  }

 private slots:
  void initTestCase() {
    original_ = cpuIsa();
    qInfo("ISA chosen at start-up: %s", cpuIsaName());
  }
  void cleanup() { setCpuIsa(original_); }

  void forwardMatchesReference_data() {
    QTest::addColumn<QString>("isa");
    QTest::addColumn<int>("layoutIndex");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("dv");
    const auto cases = layoutCases();
    for (const char* isa : kIsas)
      for (int c = 0; c < static_cast<int>(cases.size()); ++c)
        for (int n : {1, 13, 100, 333})
          for (auto [d, dv] : {std::pair{32, 32}, std::pair{64, 64}, std::pair{128, 128}, std::pair{64, 24}}) {
            if (n == 1 && d != 64) continue;
            const std::string name = std::string(isa) + "_" + cases[static_cast<size_t>(c)].name + "_n" + std::to_string(n) + "_d" + std::to_string(d) + "_dv" + std::to_string(dv);
            QTest::newRow(name.c_str()) << QString(isa) << c << n << d << dv;
          }
  }

  void forwardMatchesReference() {
    QFETCH(QString, isa);
    QFETCH(int, layoutIndex);
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, dv);
    if (!force(isa)) QSKIP("ISA not available on this CPU");
    const LayoutCase lc = layoutCases()[static_cast<size_t>(layoutIndex)];
    AttentionSpec spec = makeSpec(lc.variant);
    for (const auto& a : lc.params)
      if (a.rfind("global_indices=", 0) != 0 || n > 50) spec.params.assign(a);  // the explicit indices need n > 50
    spec.causal = lc.causal;
    const Mat q = randomMatrix(n, d, 11, 1.5), k = randomMatrix(n, d, 12, 1.5), v = randomMatrix(n, dv, 13);
    const HeadInput in{q, k, v, nullptr, 0};
    Shape shape{n, d, dv, 1, lc.causal, ThreadPool::shared().size()};
    const auto layout = VariantRegistry::instance().get(lc.variant).layout(spec, shape, &in);
    QVERIFY(layout.has_value());
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const MaskFn mask = maskOf(*layout);
    const MatD a = naiveAttentionMatrix(q, k, mask, scale);
    const MatD expected = a * v.cast<double>();

    MemoryMeter meter;
    Mat out(n, dv);
    std::vector<float> lse(static_cast<size_t>(n));
    const BlockSparseStats stats = blockSparseForward(testContext(&meter), *layout, q, k, v, scale, out, lse.data());
    QVERIFY2(relErr(out, expected) < 1e-4, qPrintable(QString("forward error %1").arg(relErr(out, expected))));
    QCOMPARE(stats.pairsAllowed, layout->countAllowedPairs());
    // Tracked workspace is what the cost model predicts for the kernel.
    QVERIFY(static_cast<double>(meter.peak()) <= blockSparseWorkspaceBytes(n, d, dv, layout->block, ThreadPool::shared().size()) * 1.05 + 64);

    // Row log-sum-exps, and the plain kernel on the same layout.
    for (int64_t i = 0; i < n; ++i) {
      double mx = -std::numeric_limits<double>::infinity(), sum = 0;
      std::vector<double> s;
      for (int64_t j = 0; j < n; ++j)
        if (mask(i, j)) s.push_back(scale * q.row(i).cast<double>().dot(k.row(j).cast<double>())), mx = std::max(mx, s.back());
      for (double x : s) sum += std::exp(x - mx);
      if (s.empty()) QVERIFY(std::isinf(lse[static_cast<size_t>(i)]) && lse[static_cast<size_t>(i)] < 0);
      else QVERIFY2(std::abs(lse[static_cast<size_t>(i)] - (mx + std::log(sum))) < 1e-4 * std::max(1.0, std::abs(mx)), qPrintable(QString("lse row %1").arg(i)));
    }
    Mat plain(n, dv);
    blockSparseForwardPlain(testContext(&meter), *layout, q, k, v, scale, plain, nullptr);
    QVERIFY(relErr(plain, expected) < 1e-4);

    // The probe rebuilds A exactly, and the transposed product is A^T y.
    MapGrid grid = MapGrid::forRequest(MapRequest{}, n, n);
    blockSparseProbe(testContext(&meter), *layout, q, k, scale, nullptr, grid);
    QVERIFY(grid.exact());
    const double mapErr = (grid.sum.cast<double>() - a).cwiseAbs().maxCoeff();
    QVERIFY2(mapErr < 1e-5, qPrintable(QString("map error %1").arg(mapErr)));
    MapGrid given = MapGrid::forRequest(MapRequest{}, n, n);  // with the forward's log-sum-exps
    blockSparseProbe(testContext(&meter), *layout, q, k, scale, lse.data(), given);
    QVERIFY((given.sum.cast<double>() - a).cwiseAbs().maxCoeff() < 1e-5);
    QCOMPARE(given.computed, grid.computed);
    const Mat y = randomMatrix(n, 5, 14);
    Mat ty(n, 5);
    blockSparseTransposed(testContext(&meter), *layout, q, k, scale, lse.data(), y, ty);
    QVERIFY2(relErr(ty, a.transpose() * y.cast<double>()) < 1e-4, qPrintable(QString("transposed error %1").arg(relErr(ty, a.transpose() * y.cast<double>()))));
  }

  void pooledMapMatchesReference_data() {
    QTest::addColumn<QString>("isa");
    QTest::addColumn<int>("layoutIndex");
    QTest::addColumn<int>("cells");
    const auto cases = layoutCases();
    for (const char* isa : kIsas)
      for (int c = 0; c < static_cast<int>(cases.size()); ++c)
        for (int cells : {7, 50}) {
          const std::string name = std::string(isa) + "_" + cases[static_cast<size_t>(c)].name + "_cells" + std::to_string(cells);
          QTest::newRow(name.c_str()) << QString(isa) << c << cells;
        }
  }

  // A pooled grid over a region: each cell's sum, max and computed fraction
  // against the same pooling of the reference matrix.
  void pooledMapMatchesReference() {
    QFETCH(QString, isa);
    QFETCH(int, layoutIndex);
    QFETCH(int, cells);
    if (!force(isa)) QSKIP("ISA not available on this CPU");
    const int n = 300, d = 64;
    const LayoutCase lc = layoutCases()[static_cast<size_t>(layoutIndex)];
    AttentionSpec spec = makeSpec(lc.variant);
    for (const auto& a : lc.params) spec.params.assign(a);
    spec.causal = lc.causal;
    const Mat q = randomMatrix(n, d, 41, 1.5), k = randomMatrix(n, d, 42, 1.5), v = randomMatrix(n, d, 43);
    const HeadInput in{q, k, v, nullptr, 0};
    const auto layout = VariantRegistry::instance().get(lc.variant).layout(spec, Shape{n, d, d, 1, lc.causal, 1}, &in);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const MaskFn mask = maskOf(*layout);
    const MatD a = naiveAttentionMatrix(q, k, mask, scale);
    MapRequest request;
    request.i0 = 17, request.i1 = 290, request.j0 = 5, request.j1 = 261, request.maxCells = cells;
    MapGrid grid = MapGrid::forRequest(request, n, n);
    QVERIFY(!grid.exact());
    MemoryMeter meter;
    blockSparseProbe(testContext(&meter), *layout, q, k, scale, nullptr, grid);
    MatD sum = MatD::Zero(grid.rows, grid.cols), mx = MatD::Zero(grid.rows, grid.cols), computed = MatD::Zero(grid.rows, grid.cols);
    for (int64_t i = grid.i0; i < grid.i1; ++i)
      for (int64_t j = grid.j0; j < grid.j1; ++j) {
        const int64_t r = grid.cellRow(i), c = grid.cellCol(j);
        sum(r, c) += a(i, j);
        mx(r, c) = std::max(mx(r, c), a(i, j));
        if (mask(i, j)) computed(r, c) += 1.0 / static_cast<double>(grid.cellPairs(r, c));
      }
    QVERIFY2((grid.sum.cast<double>() - sum).cwiseAbs().maxCoeff() < 1e-5, "cell sums");
    QVERIFY2((grid.max.cast<double>() - mx).cwiseAbs().maxCoeff() < 1e-6, "cell maxima");
    QVERIFY2((grid.computed.cast<double>() - computed).cwiseAbs().maxCoeff() < 1e-5, "computed fractions");
  }

  void exp2IsAccurateAcrossTheRange_data() {
    QTest::addColumn<QString>("isa");
    for (const char* isa : kIsas) QTest::newRow(isa) << QString(isa);
  }

  // Scores far apart (large scale) push exp2 to its range ends: tiny weights
  // must not turn into NaN or garbage, and the largest must still dominate.
  void exp2IsAccurateAcrossTheRange() {
    QFETCH(QString, isa);
    if (!force(isa)) QSKIP("ISA not available on this CPU");
    const int n = 70, d = 64;
    const Mat q = randomMatrix(n, d, 21, 6.0), k = randomMatrix(n, d, 22, 6.0), v = randomMatrix(n, d, 23);
    const BlockLayout layout = denseLayout(n, 64, false);
    MemoryMeter meter;
    Mat out(n, d);
    blockSparseForward(testContext(&meter), layout, q, k, v, 0.125f, out, nullptr);
    QVERIFY(out.allFinite());
    QVERIFY(relErr(out, naiveAttentionMatrix(q, k, nullptr, 0.125) * v.cast<double>()) < 1e-4);
  }

  void sgemmMatchesReference_data() {
    QTest::addColumn<QString>("isa");
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    QTest::addColumn<bool>("transA");
    QTest::addColumn<bool>("transB");
    for (const char* isa : kIsas)
      for (auto [m, n, k] : {std::tuple{1, 1, 1}, std::tuple{7, 33, 5}, std::tuple{100, 65, 129}, std::tuple{200, 530, 300}})
        for (bool ta : {false, true})
          for (bool tb : {false, true}) {
            const std::string name = std::string(isa) + "_" + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) + (ta ? "_tA" : "") + (tb ? "_tB" : "");
            QTest::newRow(name.c_str()) << QString(isa) << m << n << k << ta << tb;
          }
  }

  void sgemmMatchesReference() {
    QFETCH(QString, isa);
    QFETCH(int, m);
    QFETCH(int, n);
    QFETCH(int, k);
    QFETCH(bool, transA);
    QFETCH(bool, transB);
    if (!force(isa)) QSKIP("ISA not available on this CPU");
    const Mat a = transA ? randomMatrix(k, m, 31) : randomMatrix(m, k, 31);
    const Mat b = transB ? randomMatrix(n, k, 32) : randomMatrix(k, n, 32);
    const Mat c0 = randomMatrix(m, n, 33);
    const MatD ad = transA ? MatD(a.cast<double>().transpose()) : MatD(a.cast<double>());
    const MatD bd = transB ? MatD(b.cast<double>().transpose()) : MatD(b.cast<double>());
    const MatD expected = 0.5 * ad * bd - 2.0 * c0.cast<double>();
    Mat c = c0;
    sgemm(a, b, c, transA, transB, 0.5f, -2.0f);
    QVERIFY2(relErr(c, expected) < 1e-5, qPrintable(QString("sgemm error %1").arg(relErr(c, expected))));
    // beta = 0 ignores what C held, NaN included.
    c.setConstant(std::numeric_limits<float>::quiet_NaN());
    sgemm(a, b, c, transA, transB);
    QVERIFY(relErr(c, ad * bd) < 1e-5);
  }

  void gramMatchesDoubleProduct_data() {
    QTest::addColumn<QString>("isa");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("l");
    for (const char* isa : kIsas)
      for (auto [rows, l] : {std::pair{1, 1}, std::pair{5, 3}, std::pair{513, 13}, std::pair{1100, 80}, std::pair{64, 100}}) {
        const std::string name = std::string(isa) + "_" + std::to_string(rows) + "x" + std::to_string(l);
        QTest::newRow(name.c_str()) << QString(isa) << rows << l;
      }
  }

  // Y^T Y in double, both triangles, added to what g held, against Eigen's double product.
  void gramMatchesDoubleProduct() {
    QFETCH(QString, isa);
    QFETCH(int, rows);
    QFETCH(int, l);
    if (!force(isa)) QSKIP("ISA not available on this CPU");
    const Mat wide = randomMatrix(rows, l + 3, 41);  // a row stride wider than l
    const Eigen::MatrixXd yd = wide.leftCols(l).cast<double>();
    const Eigen::MatrixXd expected = yd.transpose() * yd + Eigen::MatrixXd::Constant(l, l, 1.0);
    MatD g = MatD::Constant(l, l + 2, 1.0);  // row-major, stride l + 2
    gramAccumulate(wide.data(), wide.outerStride(), rows, l, g.data(), g.outerStride());
    const double err = (g.leftCols(l) - expected).cwiseAbs().maxCoeff() / expected.cwiseAbs().maxCoeff();
    QVERIFY2(err < 1e-14, qPrintable(QString("gram error %1").arg(err)));
    QCOMPARE(g(0, l), 1.0);  // columns past l untouched
  }

  void forcingAPathTheCpuLacksChangesNothing() {
    const CpuIsa before = cpuIsa();
    for (CpuIsa isa : {CpuIsa::Avx512, CpuIsa::Avx2, CpuIsa::Generic})
      if (!cpuIsaSupported(isa)) QVERIFY(!setCpuIsa(isa));
    QCOMPARE(cpuIsa(), before);
    QVERIFY(cpuIsaSupported(CpuIsa::Generic));
    QVERIFY(std::string(cpuIsaName()).size() > 0);
  }
};

QTEST_APPLESS_MAIN(TestCpuKernels)
#include "test_cpu_kernels.moc"
