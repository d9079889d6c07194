// transformer_xl on the flash kernel (kernels/transformer_xl_flash.hpp): the
// width-2d dot product equals the relative score written with the distance
// table, also far into a long sequence, and the kernel's own source under the
// CPU emulation matches the CPU backend's transformer_xl.
#include <QtTest>

#include <cmath>

#include "attention/variants/transformer_xl.hpp"
#include "backend/backend.hpp"
#include "emu_compare.hpp"
#include "emu_flash_runner.hpp"
#include "flash_cases.hpp"
#include "transformer_xl_flash.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

AttentionSpec xlSpec(int64_t segment, int64_t memory, bool relative) {
  AttentionSpec spec = makeSpec("transformer_xl");
  spec.params.set("segment", std::to_string(segment));
  spec.params.set("memory", std::to_string(memory));
  spec.params.set("relative", relative ? "true" : "false");
  spec.causal = true;
  return spec;
}

Qkv randomQkv(int64_t n, int64_t d, int heads) { return testing::randomQkv(n, d, d, heads, 500); }

}  // namespace

class TestFlashTransformerXl : public QObject {
  Q_OBJECT

 private slots:
  // (q_i + u) . k_j + (q_i + v) . R(i - j) with R from the variant's own table, against Q'_i . K'_j.
  // The device's position features (relative_features_kernel.cuh) over the
  // zero-padded upload equal the host's withRelativeFeatures.
  void deviceFeaturesEqualTheHosts() {
    const Qkv qkv = randomQkv(77, 32, 2);
    const Qkv want = withRelativeFeatures(qkv), padded = withRelativeSlots(qkv);
    const int64_t n = qkv.n(), d = qkv.d(), w = 2 * d;
    std::vector<float> q, k;
    for (int h = 0; h < 2; ++h) {
      q.insert(q.end(), padded.q[static_cast<size_t>(h)].data(), padded.q[static_cast<size_t>(h)].data() + n * w);
      k.insert(k.end(), padded.k[static_cast<size_t>(h)].data(), padded.k[static_cast<size_t>(h)].data() + n * w);
    }
    const RelativeFeatureInputs in = relativeFeatureInputs(d);
    RelativeFeatureParams p;
    p.q = q.data();
    p.k = k.data();
    p.u = in.u.data();
    p.v = in.v.data();
    p.frequency = in.frequency.data();
    p.heads = 2;
    p.n = n;
    p.d = d;
    runEmulatedRelativeFeatures(p, emu::Order::Shuffled, 4);
    for (int h = 0; h < 2; ++h) {
      const Eigen::Map<const Mat> gq(q.data() + h * n * w, n, w), gk(k.data() + h * n * w, n, w);
      QVERIFY2(relativeMaxError(gq, want.q[static_cast<size_t>(h)]) < 1e-6, qPrintable(QString("Q' head %1").arg(h)));
      QVERIFY2(relativeMaxError(gk, want.k[static_cast<size_t>(h)]) < 1e-6, qPrintable(QString("K' head %1").arg(h)));
    }
  }

  void featuresGiveTheRelativeScore() {
    const int64_t d = 64, n = 70000;
    Qkv qkv;
    qkv.q.push_back(randomMatrix(n, d, 1, 1.0));
    qkv.k.push_back(randomMatrix(n, d, 2, 1.0));
    qkv.v.push_back(randomMatrix(n, d, 3, 1.0));
    const Qkv ext = withRelativeFeatures(qkv);
    QCOMPARE(ext.q[0].cols(), 2 * d);
    QCOMPARE(ext.k[0].cols(), 2 * d);
    QCOMPARE(ext.v[0], qkv.v[0]);
    RowVec u, v;
    transformerXlBiases(d, u, v);
    const int64_t distances = 300;
    const Mat r = transformerXlRelativeTable(distances, d);
    double worst = 0;
    for (int64_t i : {int64_t{0}, int64_t{5}, int64_t{299}, int64_t{40000}, n - 1})
      for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{17}, distances - 1}) {
        const int64_t j = i - t;
        if (j < 0) continue;
        double want = 0, got = 0;
        for (int64_t c = 0; c < d; ++c)
          want += (static_cast<double>(qkv.q[0](i, c)) + u(c)) * qkv.k[0](j, c) + (static_cast<double>(qkv.q[0](i, c)) + v(c)) * r(t, c);
        for (int64_t c = 0; c < 2 * d; ++c) got += static_cast<double>(ext.q[0](i, c)) * ext.k[0](j, c);
        worst = std::max(worst, std::abs(got - want));
      }
    QVERIFY2(worst < 2e-4, qPrintable(QString("largest score difference %1").arg(worst)));
  }

  void refusesWidthsWithoutAKernel() {
    std::string why;
    const Qkv odd = randomQkv(8, 7, 1);
    try {
      withRelativeFeatures(odd);
      QFAIL("odd d accepted");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("d = 7") != std::string::npos);
    }
    QCOMPARE(transformerXlFlashWidth(xlSpec(32, 32, true), Shape{100, 128, 128, 1, true, 1}), 256);
    QCOMPARE(transformerXlFlashWidth(xlSpec(32, 32, false), Shape{100, 128, 128, 1, true, 1}), 128);
  }

  void emulatedKernelMatchesCpu_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("segment");
    QTest::addColumn<int>("memory");
    QTest::addColumn<bool>("relative");
    QTest::addColumn<int>("element");
    struct Shape {
      int n, d, heads, segment, memory;
      bool relative;
    };
    // Every width the relative path doubles into (16 -> 32 ... 128 -> 256),
    // segments shorter and longer than a tile, no memory, and the plain path.
    const std::vector<Shape> shapes = {{130, 32, 2, 32, 32, true}, {100, 64, 1, 40, 20, true}, {70, 16, 1, 64, 0, true},
                                       {90, 128, 1, 30, 45, true},  {130, 64, 2, 50, 25, false}};
    for (const Shape& s : shapes)
      for (int e = 0; e < 3; ++e)
        QTest::addRow("n%d_d%d_h%d_L%d_M%d%s_%s", s.n, s.d, s.heads, s.segment, s.memory, s.relative ? "_relative" : "", elementName(static_cast<FlashElement>(e)))
            << s.n << s.d << s.heads << s.segment << s.memory << s.relative << e;
  }
  void emulatedKernelMatchesCpu() {
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, heads);
    QFETCH(int, segment);
    QFETCH(int, memory);
    QFETCH(bool, relative);
    QFETCH(int, element);
    const FlashElement e = static_cast<FlashElement>(element);
    const AttentionSpec spec = xlSpec(segment, memory, relative);
    const Qkv qkv = randomQkv(n, d, heads);
    const BlockLayout layout = transformer_xl::xlLayout(transformer_xl::xlShapeOf(spec, n));
    const Qkv ext = relative ? withRelativeFeatures(qkv) : qkv;
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const std::string wrong = emulatedAgainstCpu(spec, qkv, ext, layout, e, 7, scale);
    QVERIFY2(wrong.empty(), wrong.c_str());
  }
};

QTEST_APPLESS_MAIN(TestFlashTransformerXl)
#include "test_flash_transformer_xl.moc"
