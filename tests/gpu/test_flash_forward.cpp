// The block-sparse flash forward kernel, called directly on a GPU, against
// the CPU backend on the shared flash cases (tests/support/flash_cases.hpp,
// which gives the tolerances). Skipped, with the reason, where no GPU is
// found; tests/emu/ runs the same kernel source on every build.
#include <QtTest>

#include <cuda_runtime.h>

#include <cmath>

#include "backend/backend.hpp"
#include "flash_cases.hpp"
#include "flash_runner.hpp"
#include "flash_traits.hpp"
#include "gpu_test_support.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

class TestFlashForward : public QObject {
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
    checkAgainstCpu(flashCases()[static_cast<size_t>(index)], static_cast<FlashElement>(element), FlashPath::Auto);
  }

  // The sm_90 wgmma kernel, asked for, on every case whose widths it has.
  void wgmmaMatchesCpu_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    for (size_t i = 0; i < flashCases().size(); ++i)
      if (wgmmaWidthPair(static_cast<int>(flashCases()[i].d), static_cast<int>(flashCases()[i].valueWidth())))
        for (int e = 1; e < 3; ++e)
          QTest::addRow("%s_%s", flashCaseName(flashCases()[i]).c_str(), elementName(static_cast<FlashElement>(e))) << static_cast<int>(i) << e;
  }
  void wgmmaMatchesCpu() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    if (!flashWgmmaBuilt()) QSKIP("skipped: this build has no sm_90a code (CMAKE_CUDA_ARCHITECTURES without 90)");
    int device = 0, major = 0, minor = 0;
    cudaGetDevice(&device);
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
    cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
    if (major != 9 || minor != 0) QSKIP(qPrintable(QString("skipped: wgmma needs compute capability 9.0, this device is %1.%2").arg(major).arg(minor)));
    QFETCH(int, index);
    QFETCH(int, element);
    checkAgainstCpu(flashCases()[static_cast<size_t>(index)], static_cast<FlashElement>(element), FlashPath::Wgmma);
  }

  void refusesWhatItCannotRun() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    FlashCase c{"dense", {}, 40, 48, 1, false};
    const Qkv qkv = inputsOf(c);
    const BlockLayout l = denseLayout(40, 64, false);
    try {
      runFlashForward(qkv, {&l}, FlashRunOptions{});
      QFAIL("d = 48 ran");
    } catch (const Error& err) {
      QCOMPARE(err.kind(), ErrorKind::Unsupported);
      QVERIFY(std::string(err.what()).find("d = 48") != std::string::npos);
    }
  }

 private:
  static void checkAgainstCpu(const FlashCase& c, FlashElement e, FlashPath path) {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    std::vector<const BlockLayout*> ptrs;
    for (const BlockLayout& l : layouts) ptrs.push_back(&l);

    MemoryMeter meter;
    FlashRunOptions options;
    options.element = e;
    options.path = path;
    options.meter = &meter;
    options.computeLse = true;
    options.guardFloats = 1024;
    const FlashRunOutput gpu = runFlashForward(qkv, ptrs, options);
    if (path == FlashPath::Wgmma) {
      QVERIFY2(gpu.path == FlashPath::Wgmma, "the wgmma kernel was asked for and did not run");
      // TMA wherever the layout's tiles allow it (flashTmaPlan): a failed tensor-map encode would otherwise hide here.
      const int64_t b = layouts[0].block;
      const bool boxes = b % 64 == 0 || b == 8 || b == 16 || b == 32;
      QVERIFY2(gpu.tma == boxes, boxes ? "the wgmma kernel fell back to cp.async loads" : "TMA ran where no box fits the tiles");
    }
    QVERIFY2(gpu.guardsIntact, "the kernel wrote past the end of O or LSE");
    QCOMPARE(meter.current(), int64_t{0});  // every device buffer was released

    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    for (int h = 0; h < c.heads; ++h) {
      const Mat& want = cpu.output[static_cast<size_t>(h)];
      const double err = relativeMaxError(gpu.output[static_cast<size_t>(h)], want);
      QVERIFY2(std::isfinite(err), qPrintable(QString("head %1: non-finite output").arg(h)));
      if (e == FlashElement::Fp32) {
        QVERIFY2(err < 1e-4, qPrintable(QString("head %1: fp32 error %2").arg(h).arg(err)));
      } else {
        const Mat naive = naiveLowPrecision(qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)],
                                            pairMask(layouts[static_cast<size_t>(h)]), e);
        const double bound = 2.0 * relativeMaxError(naive, want);
        QVERIFY2(err <= bound, qPrintable(QString("head %1: %2 error %3, naive same-precision bound %4").arg(h).arg(elementName(e)).arg(err).arg(bound)));
      }
      // LSE: finite exactly where the row attends something.
      const std::vector<uint8_t> mask = pairMask(layouts[static_cast<size_t>(h)]);
      for (int64_t i = 0; i < c.n; ++i)
        QVERIFY2(std::isfinite(gpu.lse[static_cast<size_t>(h)][static_cast<size_t>(i)]) == rowAttends(mask, c.n, i),
                 qPrintable(QString("head %1 row %2: LSE").arg(h).arg(i)));
    }
  }
};

QTEST_APPLESS_MAIN(TestFlashForward)
#include "test_flash_forward.moc"
