// The flash forward kernels' own source (fp32 SIMT, fp16/bf16 mma.sync and wgmma) run
// under the CPU emulation of CUDA on the shared flash cases, against the CPU
// backend with the GPU suite's tolerances (tests/support/flash_cases.hpp).
// Each case also runs with the block's threads scheduled in reverse and in a
// shuffled order between barriers: a result that depends on the order is a
// missing barrier. What this cannot show: speed, or anything the hardware
// does that the emulation does not model (memory ordering between blocks,
// bank conflicts, register limits); the GPU suite covers those.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backend/backend.hpp"
#include "emu_flash_runner.hpp"
#include "flash_cases.hpp"
#include "flash_traits.hpp"
#include "low_precision.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

// Row i's log-sum-exp of s q_i . k_j over its allowed keys, in double from
// Q and K as the kernel reads them (rounded to its element type): -inf for a
// row that sees no key.
double referenceLse(const Mat& q, const Mat& k, const std::vector<uint8_t>& mask, int64_t i, FlashElement e) {
  const auto in = [e](float x) { return e == FlashElement::Fp32 ? x : e == FlashElement::Bf16 ? roundToBf16(x) : roundToHalf(x); };
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.cols()));
  std::vector<double> s;
  for (int64_t j = 0; j < k.rows(); ++j) {
    if (!mask[static_cast<size_t>(i * k.rows() + j)]) continue;
    double dot = 0;
    for (int64_t c = 0; c < q.cols(); ++c) dot += static_cast<double>(in(q(i, c))) * static_cast<double>(in(k(j, c)));
    s.push_back(scale * dot);
  }
  if (s.empty()) return -INFINITY;
  const double m = *std::max_element(s.begin(), s.end());
  double sum = 0;
  for (double x : s) sum += std::exp(x - m);
  return m + std::log(sum);
}

}  // namespace

class TestFlashEmulated : public QObject {
  Q_OBJECT

 private slots:
  void matchesCpu_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    for (size_t i = 0; i < flashCases().size(); ++i)
      for (int e = 0; e < 3; ++e)
        QTest::addRow("%s_%s", flashCaseName(flashCases()[i]).c_str(), elementName(static_cast<FlashElement>(e))) << static_cast<int>(i) << e;
  }
  void matchesCpu() {
    QFETCH(int, index);
    QFETCH(int, element);
    checkAgainstCpu(flashCases()[static_cast<size_t>(index)], static_cast<FlashElement>(element), FlashPath::Auto, "");
  }

  // The sm_90 kernel on every shared case whose widths it is built for.
  // Both of its loads: TMA boxes where the layout allows them, cp.async gathers always.
  void wgmmaMatchesCpu_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    QTest::addColumn<bool>("tma");
    for (size_t i = 0; i < flashCases().size(); ++i)
      if (wgmmaWidthPair(static_cast<int>(flashCases()[i].d), static_cast<int>(flashCases()[i].valueWidth())))
        for (int e = 1; e < 3; ++e)
          for (bool tma : {true, false})
            QTest::addRow("%s_%s%s", flashCaseName(flashCases()[i]).c_str(), elementName(static_cast<FlashElement>(e)), tma ? "_tma" : "_cpasync")
                << static_cast<int>(i) << e << tma;
  }
  void wgmmaMatchesCpu() {
    QFETCH(int, index);
    QFETCH(int, element);
    QFETCH(bool, tma);
    const FlashCase& c = flashCases()[static_cast<size_t>(index)];
    const int64_t b = layoutsOf(c, specOf(c), inputsOf(c))[0].block;
    const bool boxes = tma && (b % 64 == 0 || b == 8 || b == 16 || b == 32);  // flashTmaPlan's rule
    checkAgainstCpu(c, static_cast<FlashElement>(element), FlashPath::Wgmma, boxes ? "wgmma+tma" : "wgmma", tma);
  }

  // Widths the wgmma kernel lacks run the mma.sync kernel when it is asked for.
  void wgmmaFallsBackForOtherWidths() {
    const FlashCase& c = flashCases()[0];  // d = 32
    QVERIFY(!wgmmaWidthPair(static_cast<int>(c.d), static_cast<int>(c.valueWidth())));
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    const EmulatedOutput got = runEmulated(qkv, {&layouts[0]}, FlashElement::Bf16, emu::Order::Forward, 1, 0.0f, FlashPath::Wgmma);
    QCOMPARE(QString::fromStdString(got.kernel), QString("mma"));
  }

  // Threads between two barriers run in another order: the output must not move by a bit.
  void independentOfThreadOrder_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    // One case per kind of layout walk, each on a different path.
    const std::vector<std::pair<size_t, int>> picks = {{1, 0}, {4, 1}, {6, 2}, {8, 0}, {9, 1}};
    for (const auto& [i, e] : picks)
      QTest::addRow("%s_%s", flashCaseName(flashCases()[i]).c_str(), elementName(static_cast<FlashElement>(e))) << static_cast<int>(i) << e;
  }
  void independentOfThreadOrder() {
    QFETCH(int, index);
    QFETCH(int, element);
    const FlashCase& c = flashCases()[static_cast<size_t>(index)];
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    std::vector<const BlockLayout*> ptrs;
    for (const BlockLayout& l : layouts) ptrs.push_back(&l);
    const FlashElement e = static_cast<FlashElement>(element);
    for (FlashPath path : {FlashPath::Auto, FlashPath::Wgmma}) {
      const EmulatedOutput forward = runEmulated(qkv, ptrs, e, emu::Order::Forward, 1, 0.0f, path);
      const EmulatedOutput reverse = runEmulated(qkv, ptrs, e, emu::Order::Reverse, 1, 0.0f, path);
      const EmulatedOutput shuffled = runEmulated(qkv, ptrs, e, emu::Order::Shuffled, 1234, 0.0f, path);
      QVERIFY(std::memcmp(forward.rawO.data(), reverse.rawO.data(), forward.rawO.size() * sizeof(float)) == 0);
      QVERIFY(std::memcmp(forward.rawO.data(), shuffled.rawO.data(), forward.rawO.size() * sizeof(float)) == 0);
    }
  }
  void refusesWhatItCannotRun() {
    FlashCase c{"dense", {}, 40, 48, 1, false};
    const Qkv qkv = inputsOf(c);
    const BlockLayout l = denseLayout(40, 64, false);
    try {
      runEmulated(qkv, {&l}, FlashElement::Fp32, emu::Order::Forward);
      QFAIL("d = 48 ran");
    } catch (const Error& err) {
      QCOMPARE(err.kind(), ErrorKind::Unsupported);
      QVERIFY(std::string(err.what()).find("d = 48") != std::string::npos);
    }
  }

 private:
  static void checkAgainstCpu(const FlashCase& c, FlashElement e, FlashPath path, const char* wantKernel, bool allowTma = true) {
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    std::vector<const BlockLayout*> ptrs;
    for (const BlockLayout& l : layouts) ptrs.push_back(&l);

    const EmulatedOutput got = runEmulated(qkv, ptrs, e, emu::Order::Forward, 1, 0.0f, path, allowTma);
    if (*wantKernel) QCOMPARE(QString::fromStdString(got.kernel), QString(wantKernel));
    QVERIFY2(got.guardsIntact, "the kernel wrote past the end of O or LSE");
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    for (int h = 0; h < c.heads; ++h) {
      const size_t hs = static_cast<size_t>(h);
      const Mat& want = cpu.output[hs];
      const double err = relativeMaxError(got.output[hs], want);
      QVERIFY2(std::isfinite(err), qPrintable(QString("head %1: non-finite output").arg(h)));
      if (e == FlashElement::Fp32) {
        QVERIFY2(err < 1e-4, qPrintable(QString("head %1: fp32 error %2").arg(h).arg(err)));
      } else {
        const Mat naive = naiveLowPrecision(qkv.q[hs], qkv.k[hs], qkv.v[hs], pairMask(layouts[hs]), e);
        const double bound = 2.0 * relativeMaxError(naive, want);
        QVERIFY2(err <= bound, qPrintable(QString("head %1: %2 error %3, naive same-precision bound %4").arg(h).arg(elementName(e)).arg(err).arg(bound)));
      }
      const std::vector<uint8_t> mask = pairMask(layouts[hs]);
      for (int64_t i = 0; i < c.n; ++i) {
        QVERIFY2(std::isfinite(got.lse[hs][static_cast<size_t>(i)]) == rowAttends(mask, c.n, i), qPrintable(QString("head %1 row %2: LSE").arg(h).arg(i)));
        // The value too (transformer_xl's and memory_slots' mass on memory read it): fp32 scores of the same inputs.
        const double want = referenceLse(qkv.q[hs], qkv.k[hs], mask, i, e), lse = got.lse[hs][static_cast<size_t>(i)];
        if (std::isfinite(want))
          QVERIFY2(std::abs(lse - want) <= 1e-4 * std::max(1.0, std::abs(want)),
                   qPrintable(QString("head %1 row %2: LSE %3, reference %4").arg(h).arg(i).arg(lse).arg(want)));
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestFlashEmulated)
#include "test_flash_emulated.moc"
