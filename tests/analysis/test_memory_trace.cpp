// Memory traces: memory_slots' slot contents, norms and provenance per kept
// segment; transformer_xl's mass on memory per segment; other variants none.
#include <QtTest>

#include "analysis/analysis_run.hpp"
#include "analysis/memory_trace.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "analysis_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestMemoryTrace : public QObject {
  Q_OBJECT

 private slots:
  void memorySlotsTrace() {
    const int64_t n = 200, segment = 48, slotCount = 6, d = 16;
    AttentionSpec spec = makeSpec("memory_slots");
    spec.params.setValue("segment", segment);
    spec.params.setValue("slots", slotCount);
    const Qkv qkv = randomQkv(n, d, 21, 0.5);
    MemoryMeter meter;
    Mat out(n, d);
    const HeadInput in = headOf(qkv);
    const HeadExtras extras = cpuKernel(spec).apply(testContext(&meter), spec, in, in.v, out);

    const MemoryTrace t = memoryTraceFrom(extras, 3);
    const int64_t segments = (n + segment - 1) / segment;
    QCOMPARE(static_cast<int64_t>(t.snapshots.size()), segments);
    QCOMPARE(t.slotCount, slotCount);
    QCOMPARE(t.width, d);
    QCOMPARE(static_cast<int64_t>(t.massPerSegment.size()), segments);
    for (size_t s = 0; s < t.snapshots.size(); ++s) {
      const MemorySnapshotSummary& snap = t.snapshots[s];
      QCOMPARE(snap.segment, static_cast<int64_t>(s));
      QCOMPARE(snap.endToken, std::min(n, (static_cast<int64_t>(s) + 1) * segment));
      QCOMPARE(static_cast<int64_t>(snap.slotNorms.size()), slotCount);
      QVERIFY(std::abs(snap.slotNorms[1] - extras.memory[s].slotValues.row(1).cast<double>().norm()) < 1e-9);
      QCOMPARE(static_cast<int64_t>(snap.provenance.size()), slotCount);
      for (const SlotProvenance& p : snap.provenance) {
        QCOMPARE(p.top.size(), size_t{3});
        QVERIFY(p.top[0].weight >= p.top[1].weight && p.top[1].weight >= p.top[2].weight);
        for (const ProvenanceToken& tok : p.top) QVERIFY(tok.token >= 0 && tok.token < snap.endToken);
        QVERIFY(p.meanPosition >= 0 && p.meanPosition < double(snap.endToken));
      }
    }
    // After the first write the provenance rows are distributions; later ones keep gate^t of the first.
    QVERIFY(std::abs(t.snapshots[0].provenance[0].total - 1.0) < 1e-4);

    const std::vector<float> all = memorySlotArray(extras);
    QCOMPARE(static_cast<int64_t>(all.size()), segments * slotCount * d);
    QCOMPARE(all[static_cast<size_t>(slotCount * d + 2)], extras.memory[1].slotValues(0, 2));
  }

  void analysisCarriesTheTrace() {
    AnalysisRequest request;
    AttentionSpec spec = makeSpec("transformer_xl");
    spec.params.setValue("segment", int64_t{32});
    spec.params.setValue("memory", int64_t{32});
    const AnalysisResult r = analyzeHead(spec, randomQkv(100, 8, 22), nullptr, request);
    QVERIFY(r.memory);
    QVERIFY(r.memory->snapshots.empty());
    QCOMPARE(r.memory->massPerSegment.size(), size_t{4});
    QVERIFY(!analyzeHead(makeSpec("dense"), randomQkv(50, 8, 23), nullptr, request).memory);
  }
};

QTEST_APPLESS_MAIN(TestMemoryTrace)
#include "test_memory_trace.moc"
