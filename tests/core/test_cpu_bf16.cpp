// The bf16 CPU kernels (AMX tiles, AVX512-BF16), each path this CPU has forced
// in turn, against the plain references: on every layout the fp32 kernel's
// suite uses, its error against the exact (double)
// result is at most twice that of the naive same-precision reference (every
// operation rounded to bf16) and within a fixed bound; the backend picks it
// for --precision bf16, says why where it cannot, and keeps maps in fp32.
// Skipped, with the reason, on a CPU with neither.
#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/block_sparse_bf16.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "sequence/sequence.hpp"
#include "exec_context.hpp"
#include "../../kernels/low_precision.hpp"
#include "layout_cases.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestCpuBf16 : public QObject {
  Q_OBJECT

  CpuIsa original_ = CpuIsa::Generic;
  CpuBf16 originalBf16_ = CpuBf16::None;

  bool force(const QString& path) {
    const CpuBf16 p = path == "amx" ? CpuBf16::Amx : CpuBf16::Avx512Bf16;
    if (!setCpuBf16(p)) {
      qInfo("skipping the %s path: this CPU does not have it", qPrintable(path));
      return false;
    }
    return true;
  }

 private slots:
  void initTestCase() {
    original_ = cpuIsa();
    originalBf16_ = cpuBf16();
    if (!cpuBf16Usable()) QSKIP(qPrintable(QString::fromStdString("skipped: " + cpuBf16Refusal())));
  }
  void cleanup() {
    setCpuIsa(original_);
    setCpuBf16(originalBf16_);
  }

  void forwardWithinTwiceNaiveBf16_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("layoutIndex");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("dv");
    const auto cases = layoutCases();
    for (const char* path : {"amx", "avx512bf16"})
      for (int c = 0; c < static_cast<int>(cases.size()); ++c)
        for (int n : {1, 13, 100, 333})
          for (auto [d, dv] : {std::pair{32, 32}, std::pair{64, 64}, std::pair{128, 128}, std::pair{33, 17}, std::pair{64, 80}, std::pair{96, 160}}) {
            if (n == 1 && d != 64) continue;
            const std::string name = std::string(path) + "_" + cases[static_cast<size_t>(c)].name + "_n" + std::to_string(n) + "_d" + std::to_string(d) + "_dv" + std::to_string(dv);
            QTest::newRow(name.c_str()) << QString(path) << c << n << d << dv;
          }
  }

  void forwardWithinTwiceNaiveBf16() {
    QFETCH(QString, path);
    QFETCH(int, layoutIndex);
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, dv);
    if (!force(path)) QSKIP("path not available on this CPU");
    const LayoutCase lc = layoutCases()[static_cast<size_t>(layoutIndex)];
    AttentionSpec spec = makeSpec(lc.variant);
    for (const auto& a : lc.params)
      if (a.rfind("global_indices=", 0) != 0 || n > 50) spec.params.assign(a);
    spec.causal = lc.causal;
    const Mat q = randomMatrix(n, d, 21, 1.5), k = randomMatrix(n, d, 22, 1.5), v = randomMatrix(n, dv, 23);
    const HeadInput in{q, k, v, nullptr, 0};
    const auto layout = VariantRegistry::instance().get(lc.variant).layout(spec, Shape{n, d, dv, 1, lc.causal, ThreadPool::shared().size()}, &in);
    QVERIFY(layout.has_value());
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const MaskFn mask = maskOf(*layout);
    const MatD exact = naiveAttentionMatrix(q, k, mask, scale) * v.cast<double>();

    MemoryMeter meter;
    Mat out = Mat::Constant(n, dv, 1e30f);
    std::vector<float> lse(static_cast<size_t>(n));
    const BlockSparseStats stats = blockSparseForwardBf16(testContext(&meter), *layout, q, k, v, scale, out, lse.data());
    QCOMPARE(stats.pairsAllowed, layout->countAllowedPairs());
    QVERIFY(static_cast<double>(meter.peak()) <= blockSparseBf16WorkspaceBytes(n, d, dv, layout->block, ThreadPool::shared().size()) * 1.05 + 64);
    // The cost model (the memory guard's prediction) counts the bf16 kernel's workspace, not the fp32 one's.
    AttentionSpec bf16 = spec;
    bf16.precision = Precision::Bf16;
    const double predicted = VariantRegistry::instance().get(lc.variant).cost(bf16, Shape{n, d, dv, 1, lc.causal, ThreadPool::shared().size()}).workspaceBytes;
    QVERIFY2(static_cast<double>(meter.peak()) <= predicted * 1.05, qPrintable(QString("peak %1, predicted %2").arg(meter.peak()).arg(predicted)));

    const double err = relErr(out, exact);
    const double naive = relErr(naiveLowPrecisionAttention(q, k, v, mask, &kernels::roundToBf16), exact);
    QVERIFY2(std::isfinite(err), "non-finite output");
    QVERIFY2(err <= 2.0 * naive, qPrintable(QString("bf16 error %1, twice the naive bf16 reference's %2").arg(err).arg(2.0 * naive)));
    // Inputs and P keep 8 significant bits and both products add in fp32:
    // a few bf16 ulps of the output's scale, however long the rows.
    QVERIFY2(err < 2e-2, qPrintable(QString("bf16 error %1").arg(err)));

    // Row log-sum-exps: -inf exactly for rows with no key; close to exact otherwise.
    for (int64_t i = 0; i < n; ++i) {
      bool any = false;
      double mx = -INFINITY;
      for (int64_t j = 0; j < n; ++j)
        if (mask(i, j)) any = true, mx = std::max(mx, scale * q.row(i).cast<double>().dot(k.row(j).cast<double>()));
      const float got = lse[static_cast<size_t>(i)];
      QVERIFY2(std::isfinite(got) == any, qPrintable(QString("row %1: lse %2").arg(i).arg(got)));
      if (!any) QVERIFY((out.row(i).array() == 0.0f).all());
      else QVERIFY2(got >= mx - 0.1 * std::max(1.0, std::abs(mx)), qPrintable(QString("row %1: lse %2 below the row max %3").arg(i).arg(got).arg(mx)));
    }
  }

  // Through the backend: --precision bf16 picks the bf16 kernel, close to the
  // fp32 run; the pooled map stays the fp32 one.
  void backendRunsBf16_data() {
    QTest::addColumn<QString>("path");
    QTest::newRow("amx") << QString("amx");
    QTest::newRow("avx512bf16") << QString("avx512bf16");
  }

  void backendRunsBf16() {
    QFETCH(QString, path);
    if (!force(path)) QSKIP("path not available on this CPU");
    const Qkv qkv = [] {
      Qkv x;
      for (int h = 0; h < 2; ++h) {
        x.q.push_back(randomMatrix(300, 64, 31 + h, 1.5));
        x.k.push_back(randomMatrix(300, 64, 41 + h, 1.5));
        x.v.push_back(randomMatrix(300, 64, 51 + h));
      }
      return x;
    }();
    for (const char* variant : {"dense", "sliding_window", "longformer"}) {
      AttentionSpec spec = makeSpec(variant);
      RunOptions options;
      options.map = MapRequest{};
      const AttentionResult fp32 = BackendRegistry::instance().get("cpu").run(spec, qkv, options);
      spec.precision = Precision::Bf16;
      const AttentionResult bf16 = BackendRegistry::instance().get("cpu").run(spec, qkv, options);
      for (size_t h = 0; h < 2; ++h) {
        const double err = relativeMaxError(bf16.output[h], fp32.output[h]);
        QVERIFY2(err > 0 && err < 2e-2, qPrintable(QString("%1 head %2: bf16 against fp32 %3").arg(variant).arg(h).arg(err)));
      }
      QVERIFY(fp32.map.has_value() && bf16.map.has_value());
      QCOMPARE(bf16.map->sum, fp32.map->sum);
      bool noted = false;
      for (const HeadExtras& extras : bf16.extras)
        for (const std::string& note : extras.notes) noted = noted || note.find("bf16") != std::string::npos;
      QVERIFY2(noted, "the result does not say it ran in bf16");
      for (const HeadExtras& extras : bf16.extras)
        for (const std::string& note : extras.notes)
          if (note.find("bf16") != std::string::npos) QVERIFY2(note.find(path.toStdString()) != std::string::npos, note.c_str());
    }
  }

  void refusesWhatItCannotRun() {
    std::string why;
    AttentionSpec performer = makeSpec("performer");
    performer.precision = Precision::Bf16;
    QVERIFY(findCpuKernel(performer, nullptr, &why) == nullptr);
    QVERIFY2(why.find("mask-based") != std::string::npos, why.c_str());
    AttentionSpec fp16 = makeSpec("dense");
    fp16.precision = Precision::Fp16;
    QVERIFY(findCpuKernel(fp16, nullptr, &why) == nullptr);
    QVERIFY2(why.find("no fp16") != std::string::npos, why.c_str());
    AttentionSpec dense = makeSpec("dense");
    dense.precision = Precision::Bf16;
    QVERIFY(findCpuKernel(dense, nullptr, &why) != nullptr);
    if (setCpuIsa(CpuIsa::Avx2)) {  // a forced narrower path turns bf16 off, with the reason
      QVERIFY(findCpuKernel(dense, nullptr, &why) == nullptr);
      QVERIFY2(why.find("avx2") != std::string::npos, why.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestCpuBf16)
#include "test_cpu_bf16.moc"
