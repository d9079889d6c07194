// The block-sparse flash forward kernel, called directly, against the CPU
// backend on small shapes that put tiles and masks at their edges (odd n,
// n below a tile, several heads, causal, d = 32 / 64 / 128; band, global,
// bits and per-head dynamic layouts). Skipped, with the reason, where no GPU
// is found.
//
// Tolerances: fp32 within 1e-4 relative to the CPU. fp16/bf16 no worse than
// twice a naive same-precision reference: Q, K, V rounded to the precision,
// then every product, sum, exponential and quotient rounded to it too, in
// plain sequential loops (deliberately the worst reasonable way to compute
// in that precision; the kernel accumulates in fp32 and should do better).
#include <QtTest>

#include <cuda_runtime.h>

#include <cmath>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "flash_runner.hpp"
#include "gpu_test_support.hpp"
#include "low_precision.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

struct FlashCase {
  std::string variant;
  std::vector<std::pair<std::string, std::string>> params;
  int64_t n, d;
  int heads;
  bool causal;
};

const std::vector<FlashCase> kCases = {
    {"dense", {}, 1, 32, 1, false},     // a single row: far below every tile
    {"dense", {}, 37, 64, 3, true},     // odd n, several heads
    {"dense", {}, 333, 64, 2, true},
    {"dense", {}, 200, 128, 2, false},
    {"sliding_window", {{"window", "8"}, {"dilation", "2"}}, 130, 64, 2, false},
    {"sliding_window", {{"window", "20"}}, 201, 128, 1, true},
    {"longformer", {{"window", "4"}, {"globals", "3"}, {"global_indices", "50"}}, 130, 32, 2, false},
    {"bigbird", {{"block", "16"}, {"random_blocks", "2"}}, 130, 64, 2, true},
    {"topk_dynamic", {{"block", "16"}, {"topk", "2"}}, 150, 64, 2, false},  // per-head layouts
    {"local_block", {{"block", "131"}}, 300, 32, 1, false},                 // Bits tiles
};

AttentionSpec specOf(const FlashCase& c) {
  AttentionSpec spec = makeSpec(c.variant);
  for (const auto& [name, value] : c.params) spec.params.set(name, value);
  spec.causal = c.causal;
  return spec;
}

Qkv inputsOf(const FlashCase& c) {
  Qkv qkv;
  for (int h = 0; h < c.heads; ++h) {
    qkv.q.push_back(randomMatrix(c.n, c.d, 100 + 10 * h, 0.8));
    qkv.k.push_back(randomMatrix(c.n, c.d, 101 + 10 * h, 0.8));
    qkv.v.push_back(randomMatrix(c.n, c.d, 102 + 10 * h));
  }
  return qkv;
}

std::vector<BlockLayout> layoutsOf(const FlashCase& c, const AttentionSpec& spec, const Qkv& qkv) {
  std::vector<BlockLayout> out;
  const Shape shape{c.n, c.d, c.d, c.heads, c.causal, 1};
  for (int h = 0; h < c.heads; ++h) {
    const HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], nullptr, h};
    std::optional<BlockLayout> l = VariantRegistry::instance().get(c.variant).layout(spec, shape, &in);
    if (!l) throw Error(ErrorKind::Unsupported, c.variant + " has no layout");
    out.push_back(std::move(*l));
  }
  return out;
}

// Dense n x n mask of a layout (small n only).
std::vector<uint8_t> maskOf(const BlockLayout& l) {
  std::vector<uint8_t> m(static_cast<size_t>(l.n * l.nKeys), 0);
  for (int64_t qb = 0; qb < l.rowBlocks(); ++qb)
    for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) {
      const int64_t kb = l.tileCol(e);
      for (int64_t i = qb * l.block; i < std::min(l.n, (qb + 1) * l.block); ++i)
        for (int64_t j = kb * l.block; j < std::min(l.nKeys, (kb + 1) * l.block); ++j)
          if (l.allowed(e, i, j)) m[static_cast<size_t>(i * l.nKeys + j)] = 1;
    }
  return m;
}

// The naive same-precision reference described at the top of this file (tests/support).
Mat naiveLowPrecision(const Mat& q, const Mat& k, const Mat& v, const std::vector<uint8_t>& mask, FlashElement e) {
  const int64_t m = k.rows();
  const MaskFn allowed = [&mask, m](int64_t i, int64_t j) { return mask[static_cast<size_t>(i * m + j)] != 0; };
  return naiveLowPrecisionAttention(q, k, v, allowed, e == FlashElement::Bf16 ? &kernels::roundToBf16 : &kernels::roundToHalf);
}

const char* elementName(FlashElement e) { return e == FlashElement::Fp32 ? "fp32" : e == FlashElement::Fp16 ? "fp16" : "bf16"; }

}  // namespace

class TestFlashForward : public QObject {
  Q_OBJECT

 private slots:
  void matchesCpu_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    for (size_t i = 0; i < kCases.size(); ++i)
      for (int e = 0; e < 3; ++e) {
        const FlashCase& c = kCases[i];
        QTest::addRow("%s_n%lld_d%lld_h%d%s_%s", c.variant.c_str(), static_cast<long long>(c.n), static_cast<long long>(c.d), c.heads, c.causal ? "_causal" : "",
                      elementName(static_cast<FlashElement>(e)))
            << static_cast<int>(i) << e;
      }
  }
  void matchesCpu() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    QFETCH(int, index);
    QFETCH(int, element);
    const FlashCase& c = kCases[static_cast<size_t>(index)];
    const FlashElement e = static_cast<FlashElement>(element);
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    std::vector<const BlockLayout*> ptrs;
    for (const BlockLayout& l : layouts) ptrs.push_back(&l);

    MemoryMeter meter;
    FlashRunOptions options;
    options.element = e;
    options.meter = &meter;
    options.computeLse = true;
    options.guardFloats = 1024;
    const FlashRunOutput gpu = runFlashForward(qkv, ptrs, options);
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
                                            maskOf(layouts[static_cast<size_t>(h)]), e);
        const double bound = 2.0 * relativeMaxError(naive, want);
        QVERIFY2(err <= bound, qPrintable(QString("head %1: %2 error %3, naive same-precision bound %4").arg(h).arg(elementName(e)).arg(err).arg(bound)));
      }
      // LSE: finite exactly where the row attends something.
      const std::vector<uint8_t> mask = maskOf(layouts[static_cast<size_t>(h)]);
      for (int64_t i = 0; i < c.n; ++i) {
        bool any = false;
        for (int64_t j = 0; j < c.n && !any; ++j) any = mask[static_cast<size_t>(i * c.n + j)] != 0;
        QVERIFY2(std::isfinite(gpu.lse[static_cast<size_t>(h)][static_cast<size_t>(i)]) == any, qPrintable(QString("head %1 row %2: LSE").arg(h).arg(i)));
      }
    }
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
};

QTEST_APPLESS_MAIN(TestFlashForward)
#include "test_flash_forward.moc"
