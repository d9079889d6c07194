// memory_slots on the GPU path (kernels/memory_slots_flash.hpp and
// memory_slots_write_kernel.cuh): the read layout allows exactly each
// token's segment and slots, the write recurrence's own source under the CPU
// emulation gives the slot states of a plain double-precision recurrence and
// of the CPU backend's memory trace, and the reads on the emulated flash
// kernel match the CPU backend's memory_slots.
#include <QtTest>

#include <cmath>

#include "attention/variants/memory_slots.hpp"
#include "backend/backend.hpp"
#include "emu_compare.hpp"
#include "emu_flash_runner.hpp"
#include "emu_probe_device.hpp"
#include "flash_cases.hpp"
#include "flash_probe_operator.hpp"
#include "memory_slots_flash.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

AttentionSpec slotsSpec(int64_t slotCount, int64_t segment, double gate, bool causal) {
  AttentionSpec spec = makeSpec("memory_slots");
  spec.params.set("slots", std::to_string(slotCount));
  spec.params.set("segment", std::to_string(segment));
  spec.params.set("gate", std::to_string(gate));
  spec.causal = causal;
  return spec;
}

Qkv randomQkv(int64_t n, int64_t d, int heads) { return testing::randomQkv(n, d, d, heads, 700); }

// The states M_1 .. M_T of one head, written plainly from the variant's meaning, in double.
std::vector<Eigen::MatrixXd> referenceStates(const Mat& k, const Mat& v, int64_t S, int64_t L, double gate) {
  const int64_t n = k.rows(), d = k.cols(), T = (n + L - 1) / L;
  Eigen::MatrixXd m = memorySlotsInitialQueries(S, d).cast<double>();
  std::vector<Eigen::MatrixXd> states;
  for (int64_t t = 0; t < T; ++t) {
    const int64_t a = t * L, len = std::min(L, n - a);
    Eigen::MatrixXd w = (m * k.middleRows(a, len).cast<double>().transpose()) / std::sqrt(static_cast<double>(d));
    for (int64_t s = 0; s < S; ++s) {
      const double mx = w.row(s).maxCoeff();
      w.row(s) = (w.row(s).array() - mx).exp().matrix();
      w.row(s) /= w.row(s).sum();
    }
    const Eigen::MatrixXd written = w * v.middleRows(a, len).cast<double>();
    m = t == 0 ? written : Eigen::MatrixXd(gate * m + (1.0 - gate) * written);
    states.push_back(m);
  }
  return states;
}

// Extended K and V of every head with the slot rows written by the emulated
// recurrence; with `provenance`, also each head's kept write weights [S x n].
Qkv emulatedWrite(const Qkv& qkv, const SlotKeys& keys, double gate, uint64_t seed, std::vector<Mat>* provenance = nullptr) {
  Qkv ext = withSlotRows(qkv, keys);
  const int64_t d = qkv.d(), heads = qkv.heads(), rows = keys.keys();
  std::vector<float> k, v;
  for (int64_t h = 0; h < heads; ++h) {
    k.insert(k.end(), ext.k[static_cast<size_t>(h)].data(), ext.k[static_cast<size_t>(h)].data() + rows * d);
    v.insert(v.end(), ext.v[static_cast<size_t>(h)].data(), ext.v[static_cast<size_t>(h)].data() + rows * d);
  }
  const Mat initial = memorySlotsInitialQueries(keys.slotCount, d);
  std::vector<float> weights(static_cast<size_t>(heads * keys.slotCount * keys.segment), 0.0f);
  SlotWriteParams p;
  p.k = k.data();
  p.v = v.data();
  p.initial = initial.data();
  p.weights = weights.data();
  p.heads = static_cast<int>(heads);
  p.n = qkv.n();
  p.nKeys = rows;
  p.d = d;
  p.slotCount = keys.slotCount;
  p.segment = keys.segment;
  p.segments = keys.segments;
  p.slotBase = keys.slotBase();
  p.slotStride = keys.slotStride();
  p.scale = 1.0f / std::sqrt(static_cast<float>(d));
  p.gate = static_cast<float>(gate);
  std::vector<float> kept(provenance ? static_cast<size_t>(heads * keys.slotCount * qkv.n()) : 0, -1.0f);
  if (provenance) p.provenance = kept.data();
  runEmulatedSlotWrite(p, emu::Order::Shuffled, seed);
  if (provenance) {
    provenance->clear();
    for (int64_t h = 0; h < heads; ++h) {
      Mat m(keys.slotCount, qkv.n());
      std::copy_n(kept.data() + h * keys.slotCount * qkv.n(), m.size(), m.data());
      provenance->push_back(std::move(m));
    }
  }
  for (int64_t h = 0; h < heads; ++h) {
    std::copy_n(k.data() + h * rows * d, rows * d, ext.k[static_cast<size_t>(h)].data());
    std::copy_n(v.data() + h * rows * d, rows * d, ext.v[static_cast<size_t>(h)].data());
  }
  return ext;
}

}  // namespace

class TestFlashMemorySlots : public QObject {
  Q_OBJECT

 private slots:
  // Provenance from the write kernel's kept weights, through the shared rule,
  // equals the CPU backend's memory trace snapshot by snapshot.
  void provenanceMatchesCpu() {
    const AttentionSpec spec = slotsSpec(5, 30, 0.7, false);
    const Qkv qkv = randomQkv(140, 16, 2);
    const SlotKeys keys = slotKeysFor(spec, qkv.n());
    std::vector<Mat> kept;
    emulatedWrite(qkv, keys, 0.7, 9, &kept);
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    for (int h = 0; h < 2; ++h) {
      const std::vector<MemorySnapshot>& want = cpu.extras[static_cast<size_t>(h)].memory;
      std::vector<MemorySnapshot> got;
      for (const MemorySnapshot& w : want) got.push_back(MemorySnapshot{w.segment, w.endToken, w.slotValues, Mat()});
      std::vector<std::string> notes;
      attachMemorySlotsProvenance(got, kept[static_cast<size_t>(h)], keys.segment, 0.7, notes);
      QCOMPARE(got.size(), size_t{5});
      for (size_t k = 0; k < want.size(); ++k) {
        QCOMPARE(got[k].provenance.rows(), want[k].provenance.rows());
        QCOMPARE(got[k].provenance.cols(), want[k].provenance.cols());
        QVERIFY2(relativeMaxError(got[k].provenance, want[k].provenance) < 1e-5, qPrintable(QString("head %1 snapshot %2").arg(h).arg(k)));
      }
      // Weights, not an empty or signed matrix: the comparison above could fail.
      QVERIFY(got.back().provenance.minCoeff() >= 0.0f && got.back().provenance.sum() > 0.0f);
    }
  }

  // The mass on memory per segment from the probe over the emulated
  // recurrence's slot rows equals the CPU forward's.
  void memoryMassMatchesCpu() {
    for (bool causal : {false, true}) {
      const AttentionSpec spec = slotsSpec(6, 24, 0.6, causal);
      const Qkv qkv = randomQkv(110, 16, 2);
      const SlotKeys keys = slotKeysFor(spec, qkv.n());
      const Qkv ext = emulatedWrite(qkv, keys, 0.6, 5);
      const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
      const std::unique_ptr<ProbeDevice> device = emulatedProbeDevice(std::make_shared<ProbeDeviceLog>());
      for (int h = 0; h < 2; ++h) {
        const std::vector<double> got = memorySlotsMemoryMass(*device, spec, qkv.q[static_cast<size_t>(h)], ext.k[static_cast<size_t>(h)]);
        const std::vector<double>& want = cpu.extras[static_cast<size_t>(h)].memoryMass;
        QCOMPARE(got.size(), want.size());
        QVERIFY(want.size() == 5 && want[0] == 0.0 && want[1] > 0.01);  // segment 0 reads no slots
        for (size_t s = 0; s < want.size(); ++s)
          QVERIFY2(std::abs(got[s] - want[s]) < 1e-5, qPrintable(QString("head %1 segment %2: %3 vs %4").arg(h).arg(s).arg(got[s]).arg(want[s])));
      }
    }
  }

  // Every pair, against the rule written out: row i of segment t sees its
  // segment's tokens (up to i when causal) and, from t = 1, the S slot rows of M_t.
  void layoutAllowsExactlyTheReads_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("segment");
    QTest::addColumn<bool>("causal");
    // Aligned segments, segments shorter than a tile (several per query
    // block), edges inside tiles, more slots than a tile, one segment.
    for (bool causal : {false, true}) {
      QTest::addRow("n256_S16_L128%s", causal ? "_causal" : "") << 256 << 16 << 128 << causal;
      QTest::addRow("n150_S5_L10%s", causal ? "_causal" : "") << 150 << 5 << 10 << causal;
      QTest::addRow("n200_S70_L100%s", causal ? "_causal" : "") << 200 << 70 << 100 << causal;
      QTest::addRow("n90_S4_L200%s", causal ? "_causal" : "") << 90 << 4 << 200 << causal;
    }
  }
  void layoutAllowsExactlyTheReads() {
    QFETCH(int, n);
    QFETCH(int, slotCount);
    QFETCH(int, segment);
    QFETCH(bool, causal);
    const SlotKeys keys = slotKeysFor(slotsSpec(slotCount, segment, 0.5, causal), n);
    const BlockLayout layout = memorySlotsFlashLayout(keys);
    QCOMPARE(layout.nKeys, keys.keys());
    const std::vector<uint8_t> mask = pairMask(layout);
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t t = i / keys.segment, a = t * keys.segment, end = std::min<int64_t>(n, a + keys.segment);
      for (int64_t j = 0; j < keys.keys(); ++j) {
        const bool token = j >= a && j < (causal ? i + 1 : end);
        const bool slot = t > 0 && j >= keys.slotStart(t) && j < keys.slotStart(t) + slotCount;
        wrong += (mask[static_cast<size_t>(i * keys.keys() + j)] != 0) != (token || slot);
      }
    }
    QCOMPARE(wrong, int64_t{0});
    QVERIFY2(layout.storageBytes() <= memorySlotsLayoutBytesBound(keys),
             qPrintable(QString("layout %1 bytes, bound %2").arg(layout.storageBytes()).arg(memorySlotsLayoutBytesBound(keys))));
  }

  // Where segments and slots align with tiles, only partial slot tiles are
  // Bits: the rest runs unmasked (Full) or on the diagonal rule (Band).
  void alignedSegmentsNeedFewBitsTiles() {
    const SlotKeys keys = slotKeysFor(slotsSpec(16, 128, 0.5, true), 1024);
    const BlockLayout layout = memorySlotsFlashLayout(keys);
    int64_t bits = 0, band = 0;
    for (int64_t e = 0; e < layout.entries(); ++e) {
      bits += layout.tileMask(e) == TileMask::Bits;
      band += layout.tileMask(e) == TileMask::Band;
    }
    QCOMPARE(band, layout.rowBlocks());                       // one diagonal per query block
    QCOMPARE(bits, layout.rowBlocks() - 128 / keys.block);  // the slot tile of every block past segment 0
  }

  void refusesLayoutsPastTheBound() {
    const SlotKeys huge = slotKeysFor(slotsSpec(1024, 1 << 20, 0.5, false), int64_t{1} << 22);
    const std::string why = memorySlotsFlashSupports(huge, int64_t{256} << 20);
    QVERIFY(why.find("shorter segment") != std::string::npos);
    QVERIFY(memorySlotsFlashSupports(slotKeysFor(slotsSpec(16, 128, 0.5, false), 65536), int64_t{256} << 20).empty());
  }

  void writeKernelGivesTheRecurrence_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("segment");
    QTest::addColumn<double>("gate");
    QTest::addRow("n47_d16_S3_L10") << 47 << 16 << 3 << 10 << 0.5;
    QTest::addRow("n130_d32_S70_L64") << 130 << 32 << 70 << 64 << 0.25;  // more slots than a tile, rows over several warps
    QTest::addRow("n64_d8_S1_L64_one_segment") << 64 << 8 << 1 << 64 << 0.9;
    QTest::addRow("n100_d16_S4_L33_gate0") << 100 << 16 << 4 << 33 << 0.0;
  }
  void writeKernelGivesTheRecurrence() {
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, slotCount);
    QFETCH(int, segment);
    QFETCH(double, gate);
    const Qkv qkv = randomQkv(n, d, 2);
    const SlotKeys keys = slotKeysFor(slotsSpec(slotCount, segment, gate, false), n);
    const Qkv ext = emulatedWrite(qkv, keys, gate, 3);
    for (int h = 0; h < 2; ++h) {
      const size_t hs = static_cast<size_t>(h);
      QCOMPARE(Mat(ext.k[hs].topRows(n)), qkv.k[hs]);  // token rows untouched
      const std::vector<Eigen::MatrixXd> want = referenceStates(qkv.k[hs], qkv.v[hs], slotCount, keys.segment, gate);
      QCOMPARE(static_cast<int64_t>(want.size()), keys.segments);
      for (int64_t t = 1; t <= keys.segments; ++t) {
        const Mat gotK = ext.k[hs].middleRows(keys.slotStart(t), slotCount), gotV = ext.v[hs].middleRows(keys.slotStart(t), slotCount);
        const double err = (gotK.cast<double>() - want[static_cast<size_t>(t - 1)]).cwiseAbs().maxCoeff();
        QVERIFY2(err < 1e-5, qPrintable(QString("head %1, M_%2 off by %3").arg(h).arg(t).arg(err)));
        QCOMPARE(gotV, gotK);
        // The padding after the slots stays zero (the layout hides it, but a stray write would show here).
        const int64_t pad = keys.slotStride() - slotCount;
        if (pad > 0) QCOMPARE(ext.k[hs].middleRows(keys.slotStart(t) + slotCount, pad).cwiseAbs().maxCoeff(), 0.0f);
      }
    }
  }

  // The emulated states are the CPU backend's memory trace, segment by segment,
  // for every head and every slot group: one partial group, groups that end
  // mid-row (S not a multiple of the group), whole groups, a last group of one
  // slot. Provenance too: each group writes its own rows of it.
  void writeKernelMatchesCpuTrace_data() {
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("heads");
    constexpr int g = kSlotWriteSlotsPerBlock;
    QTest::addRow("S6_h1") << 6 << 1;
    QTest::addRow("S%d_h3_last_group_partial", 2 * g - 3) << 2 * g - 3 << 3;
    QTest::addRow("S%d_h2_whole_groups", 2 * g) << 2 * g << 2;
    QTest::addRow("S%d_h3_last_group_one_slot", 2 * g + 1) << 2 * g + 1 << 3;
  }
  void writeKernelMatchesCpuTrace() {
    QFETCH(int, slotCount);
    QFETCH(int, heads);
    const int64_t n = 96, d = 16, S = slotCount, L = 20;
    const AttentionSpec spec = slotsSpec(S, L, 0.4, true);
    const Qkv qkv = randomQkv(n, d, heads);
    const SlotKeys keys = slotKeysFor(spec, n);
    std::vector<Mat> kept;
    const Qkv ext = emulatedWrite(qkv, keys, 0.4, 5, &kept);
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    for (int h = 0; h < heads; ++h) {
      const size_t hs = static_cast<size_t>(h);
      const std::vector<MemorySnapshot>& trace = cpu.extras[hs].memory;
      QCOMPARE(static_cast<int64_t>(trace.size()), keys.segments);
      std::vector<MemorySnapshot> got;
      for (const MemorySnapshot& snap : trace) {
        const Mat state = ext.k[hs].middleRows(keys.slotStart(snap.segment + 1), S);
        const double err = (state - snap.slotValues).cwiseAbs().maxCoeff();
        QVERIFY2(err < 1e-5, qPrintable(QString("head %1 after segment %2 off by %3").arg(h).arg(snap.segment).arg(err)));
        got.push_back(MemorySnapshot{snap.segment, snap.endToken, snap.slotValues, Mat()});
      }
      std::vector<std::string> notes;
      attachMemorySlotsProvenance(got, kept[hs], keys.segment, 0.4, notes);
      for (size_t k = 0; k < trace.size(); ++k)
        QVERIFY2(relativeMaxError(got[k].provenance, trace[k].provenance) < 1e-5, qPrintable(QString("head %1 snapshot %2 provenance").arg(h).arg(k)));
      QVERIFY(kept[hs].minCoeff() >= 0.0f);  // every slot row written (the buffer starts at -1)
    }
  }

  void emulatedReadsMatchCpu_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("segment");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<int>("element");
    struct Case {
      int n, d, heads, slotCount, segment;
      bool causal;
    };
    const std::vector<Case> cases = {{200, 32, 2, 8, 64, true}, {150, 64, 1, 5, 40, false}, {130, 32, 1, 70, 50, true}, {90, 128, 1, 4, 200, false}};
    for (const Case& c : cases)
      for (int e = 0; e < 3; ++e)
        QTest::addRow("n%d_d%d_h%d_S%d_L%d%s_%s", c.n, c.d, c.heads, c.slotCount, c.segment, c.causal ? "_causal" : "", elementName(static_cast<FlashElement>(e)))
            << c.n << c.d << c.heads << c.slotCount << c.segment << c.causal << e;
  }
  void emulatedReadsMatchCpu() {
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, heads);
    QFETCH(int, slotCount);
    QFETCH(int, segment);
    QFETCH(bool, causal);
    QFETCH(int, element);
    const FlashElement e = static_cast<FlashElement>(element);
    const AttentionSpec spec = slotsSpec(slotCount, segment, 0.5, causal);
    const Qkv qkv = randomQkv(n, d, heads);
    const SlotKeys keys = slotKeysFor(spec, n);
    const BlockLayout layout = memorySlotsFlashLayout(keys);
    const Qkv ext = emulatedWrite(qkv, keys, 0.5, 11);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const std::string wrong = emulatedAgainstCpu(spec, qkv, ext, layout, e, 7, scale);
    QVERIFY2(wrong.empty(), wrong.c_str());
  }
};

QTEST_APPLESS_MAIN(TestFlashMemorySlots)
#include "test_flash_memory_slots.moc"
