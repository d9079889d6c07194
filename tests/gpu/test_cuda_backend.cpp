// The CUDA backend against the CPU backend (skipped without a GPU). The tile
// math it shares with the host is tested in tests/core/test_tile_math.cpp.
#include <QtTest>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "common/error.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

// Two heads of seeded Q, K (sigma 0.8) and V: seeds seed + h, + 10, + 20.
Qkv twoHeads(int64_t n, int64_t d, uint64_t seed) {
  Qkv qkv;
  for (uint64_t h = 0; h < 2; ++h) {
    qkv.q.push_back(randomMatrix(n, d, seed + h, 0.8));
    qkv.k.push_back(randomMatrix(n, d, seed + 10 + h, 0.8));
    qkv.v.push_back(randomMatrix(n, d, seed + 20 + h));
  }
  return qkv;
}

}  // namespace

class TestCudaBackend : public QObject {
  Q_OBJECT

 private slots:
  void reportsAvailabilityWithAReason() {
    Backend* cuda = BackendRegistry::instance().find("cuda");
    QVERIFY(cuda);
    const BackendStatus s = cuda->status();
    if (!s.available) {
      QVERIFY(!s.reason.empty());
      QVERIFY(s.devices.empty());
      // Running is refused clearly, never attempted.
      Qkv qkv;
      qkv.q = {randomMatrix(8, 4, 1)};
      qkv.k = {randomMatrix(8, 4, 2)};
      qkv.v = {randomMatrix(8, 4, 3)};
      try {
        cuda->run(makeSpec("dense"), qkv, RunOptions{});
        QFAIL("run on an unavailable backend did not throw");
      } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::Unavailable);
      }
    } else {
      QVERIFY(!s.devices.empty());
    }
  }

  void denseMatchesCpu_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<bool>("causal");
    for (int n : {1, 7, 333, 1024})
      for (int d : {16, 64, 128})
        for (bool causal : {false, true}) QTest::addRow("n%d_d%d_%s", n, d, causal ? "causal" : "full") << n << d << causal;
  }
  void denseMatchesCpu() {
    Backend* cuda = BackendRegistry::instance().find("cuda");
    if (!cuda->status().available) QSKIP("no CUDA device here");
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(bool, causal);
    Qkv qkv;
    for (int h = 0; h < 2; ++h) {
      qkv.q.push_back(randomMatrix(n, d, 10 + h, 1.5));
      qkv.k.push_back(randomMatrix(n, d, 20 + h, 1.5));
      qkv.v.push_back(randomMatrix(n, d, 30 + h));
    }
    AttentionSpec spec = makeSpec("dense");
    spec.causal = causal;
    const AttentionResult gpu = cuda->run(spec, qkv, RunOptions{});
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    for (int h = 0; h < 2; ++h) QVERIFY2(relativeMaxError(gpu.output[h], cpu.output[h]) < 1e-5, qPrintable(QString("head %1").arg(h)));
  }

  // A map asked of a cuda run comes from the device's operator and equals the
  // CPU run's map; one of a variant without an operator is refused up front.
  void runWithMapMatchesCpu() {
    Backend* cuda = BackendRegistry::instance().find("cuda");
    if (!cuda->status().available) QSKIP("no CUDA device here");
    const Qkv qkv = twoHeads(3000, 64, 40);
    AttentionSpec spec = makeSpec("longformer");
    spec.params.set("window", "40");
    spec.params.set("globals", "5");
    RunOptions options;
    options.map = MapRequest{1, 100, 2900, 0, -1, 300};  // pooled, zoomed rows
    const AttentionResult gpu = cuda->run(spec, qkv, options);
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, options);
    QVERIFY(gpu.map && cpu.map);
    QVERIFY(relativeMaxError(gpu.map->sum, cpu.map->sum) < 1e-4);
    QVERIFY(relativeMaxError(gpu.map->max, cpu.map->max) < 1e-4);
    QVERIFY(relativeMaxError(gpu.map->computed, cpu.map->computed) < 1e-5);
    options.map->head = 0;
    QVERIFY_THROWS_EXCEPTION(Error, cuda->run(makeSpec("performer"), qkv, options));
  }

  // transformer_xl's and memory_slots' mass on memory per segment, from the
  // device's probe passes, equals the CPU forward's; so does memory_slots'
  // provenance from the kept write weights.
  void memoryMassMatchesCpu() {
    Backend* cuda = BackendRegistry::instance().find("cuda");
    if (!cuda->status().available) QSKIP("no CUDA device here");
    const Qkv qkv = twoHeads(1000, 64, 70);
    AttentionSpec xl = makeSpec("transformer_xl");
    xl.params.set("segment", "128");
    xl.params.set("memory", "128");
    xl.causal = true;
    AttentionSpec slotSpec = makeSpec("memory_slots");
    slotSpec.params.set("segment", "100");
    for (const AttentionSpec& spec : {xl, slotSpec}) {
      const AttentionResult gpu = cuda->run(spec, qkv, RunOptions{});
      const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
      for (size_t h = 0; h < 2; ++h) {
        const std::vector<double>& got = gpu.extras[h].memoryMass;
        const std::vector<double>& want = cpu.extras[h].memoryMass;
        QCOMPARE(got.size(), want.size());
        for (size_t s = 0; s < want.size(); ++s) QVERIFY2(std::abs(got[s] - want[s]) < 1e-4, qPrintable(QString::fromStdString(spec.variant)));
        // memory_slots' snapshots carry the same provenance (n <= 4096).
        const std::vector<MemorySnapshot>& gs = gpu.extras[h].memory;
        const std::vector<MemorySnapshot>& cs = cpu.extras[h].memory;
        QCOMPARE(gs.size(), cs.size());
        for (size_t k = 0; k < cs.size(); ++k) {
          QCOMPARE(gs[k].provenance.cols(), cs[k].provenance.cols());
          if (cs[k].provenance.size() > 0) QVERIFY(relativeMaxError(gs[k].provenance, cs[k].provenance) < 1e-4);
        }
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestCudaBackend)
#include "test_cuda_backend.moc"
