// Pooled maps hold nothing n x n: the tracked workspace (map grid included)
// stays small at lengths where an n x n matrix would not.
#include <QtTest>

#include "analysis/analysis_run.hpp"
#include "analysis_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestMapMemory : public QObject {
  Q_OBJECT

 private slots:
  // DESIGN §5 / issue 4: sliding_window at n = 65536, H = 1, d = 64, pooled to
  // 1024 x 1024 cells, below 64 MiB beyond Q, K, V and O (an n x n float map is 16 GiB).
  void slidingWindowAt65536() {
    const int64_t n = 65536;
    const Qkv qkv = randomQkv(n, 64, 3);
    AnalysisRequest request;
    request.map = defaultMapRequest(n, 0, -1, 0, -1);
    request.memory = false;
    const AnalysisResult r = analyzeHead(makeSpec("sliding_window"), qkv, nullptr, request);
    QVERIFY(r.map);
    QCOMPARE(r.map->rows, int64_t{1024});
    QCOMPARE(r.map->cols, int64_t{1024});
    QVERIFY(!r.map->exact());
    qInfo("sliding_window n=65536 pooled map: tracked peak %.2f MiB, %.0f ms", r.peakWorkspaceBytes / 1048576.0, r.mapMs);
    QVERIFY(r.peakWorkspaceBytes > 0);
    QVERIFY2(r.peakWorkspaceBytes < 64ll << 20, qPrintable(QString("peak %1 bytes").arg(r.peakWorkspaceBytes)));
    // Every row of A sums to one, so the cells hold n in total; the band sits on the diagonal.
    QVERIFY(std::abs(r.map->sum.cast<double>().sum() - double(n)) < 1e-3 * n);
    QVERIFY(r.map->sum(500, 500) > 0);
    QCOMPARE(r.map->sum(0, 1000), 0.0f);
    QCOMPARE(r.pairs.source, std::string("layout"));
    QVERIFY(r.pairs.fraction > 0 && r.pairs.fraction < 129.0 / n);
  }

  // Every variant, pooled at n = 4096: the workspace stays under a quarter of
  // one n x n float matrix (the grid included).
  void everyVariantPooledStaysSmall() {
    const int64_t n = 4096;
    const Qkv qkv = randomQkv(n, 32, 9, 0.5);
    for (const Variant* v : VariantRegistry::instance().all()) {
      AnalysisRequest request;
      request.map = defaultMapRequest(n, 0, -1, 0, -1, 256);
      request.memory = false;
      AttentionSpec spec = makeSpec(v->info().id);
      if (v->info().id == "performer") spec.params.setValue("features", int64_t{64});  // keeps the suite fast
      const AnalysisResult r = analyzeHead(spec, qkv, nullptr, request);
      qInfo("%-15s pooled 256x256 at n=4096: peak %.2f MiB, %.0f ms", v->info().id.c_str(), r.peakWorkspaceBytes / 1048576.0, r.mapMs);
      QVERIFY2(r.peakWorkspaceBytes < n * n, v->info().id.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestMapMemory)
#include "test_map_memory.moc"
