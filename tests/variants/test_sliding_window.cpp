// sliding_window against its definition (DESIGN §3): |i - j| <= w, causal
// 0 <= i - j <= w, dilation (i - j) % δ == 0; and its work is the band's tiles.
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "sparse_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {
MaskFn windowMask(int64_t w, int64_t dilation, bool causal) {
  return [=](int64_t i, int64_t j) {
    const int64_t off = i - j;
    if (causal && off < 0) return false;
    return (off <= w && off >= -w) && off % dilation == 0;
  };
}
}  // namespace

class TestSlidingWindow : public QObject {
  Q_OBJECT

 private slots:
  void matchesNaive_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("dilation");
    QTest::addColumn<bool>("causal");
    for (int n : {1, 5, 64, 333})
      for (int window : {0, 1, 3, 17, 64, 100, 400})
        for (int dilation : {1, 2, 3})
          for (bool causal : {false, true}) {
            if (n < 64 && window > 17) continue;
            QTest::addRow("n%d_w%d_dil%d_%s", n, window, dilation, causal ? "causal" : "full") << n << window << dilation << causal;
          }
  }
  void matchesNaive() {
    QFETCH(int, n);
    QFETCH(int, window);
    QFETCH(int, dilation);
    QFETCH(bool, causal);
    const AttentionSpec spec = specWith("sliding_window", {"window=" + std::to_string(window), "dilation=" + std::to_string(dilation)}, causal);
    for (int head = 0; head < 2; ++head) {  // H = 2: two heads of different data
      const HeadData data(n, 24, 100 + 7 * head);
      const RunOutput r = runHead(spec, data, head);
      QString why;
      QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, windowMask(window, dilation, causal)), &why), qPrintable(why));
      // The cost model counts exactly the pairs the kernel computed.
      Shape shape{n, 24, 24, 1, causal, 1};
      QCOMPARE(VariantRegistry::instance().get("sliding_window").cost(spec, shape).pairs, scalar(r.extras, "pairs_computed"));
    }
  }

  void exactMap() {
    for (bool causal : {false, true})
      for (int dilation : {1, 3}) {
        const int n = 157, window = 20;
        const HeadData data(n, 16, 5);
        const AttentionSpec spec = specWith("sliding_window", {"window=20", "dilation=" + std::to_string(dilation)}, causal);
        QString why;
        QVERIFY2(mapMatches(exactMapOf(spec, data), naiveAttentionMatrix(data.q, data.k, windowMask(window, dilation, causal)), &why), qPrintable(why));
      }
  }

  void windowAtLeastNIsDense() {
    const HeadData data(90, 16, 9);
    for (bool causal : {false, true}) {
      const RunOutput r = runHead(specWith("sliding_window", {"window=5000"}, causal), data);
      QString why;
      QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, causal ? causalMask() : MaskFn{}), &why), qPrintable(why));
    }
  }

  void visitsOnlyTheBandsTiles() {
    // n = 16384, w = 64: the kernel visits at most 1.2x the tiles that meet the band.
    const int64_t n = 16384, w = 64;
    const HeadData data(n, 16, 3);
    for (bool causal : {false, true}) {
      const RunOutput r = runHead(specWith("sliding_window", {"window=64"}, causal), data);
      const int64_t b = static_cast<int64_t>(scalar(r.extras, "tile_edge"));
      QVERIFY(b >= 1);
      // Count, independently of the layout, the tiles holding at least one band pair:
      // tile (I, J) meets the band iff some i in I, j in J has -w <= j - i <= w (causal: <= 0).
      int64_t bandTiles = 0;
      const int64_t tiles = (n + b - 1) / b;
      for (int64_t qt = 0; qt < tiles; ++qt)
        for (int64_t kt = 0; kt < tiles; ++kt) {
          const int64_t iLo = qt * b, iHi = std::min(n, iLo + b) - 1, jLo = kt * b, jHi = std::min(n, jLo + b) - 1;
          const int64_t offLo = jLo - iHi, offHi = jHi - iLo;
          if (offHi >= -w && offLo <= (causal ? 0 : w)) ++bandTiles;
        }
      const double visited = scalar(r.extras, "tiles_visited");
      QVERIFY2(visited <= 1.2 * static_cast<double>(bandTiles), qPrintable(QString("visited %1 tiles, band has %2").arg(visited).arg(bandTiles)));
      // And the tiles are sized to the band: scores computed stay within 2x the pairs attended.
      const double bandPairs = scalar(r.extras, "pairs_computed");
      QVERIFY2(visited * static_cast<double>(b * b) <= 2.0 * bandPairs,
               qPrintable(QString("%1 tiles of %2^2 for %3 pairs").arg(visited).arg(b).arg(bandPairs)));
      // Spot-check the output on a few rows against the definition.
      for (int64_t i : {int64_t{0}, int64_t{777}, n - 1}) {
        MatD row = MatD::Zero(1, 16);
        double mx = -1e300, sum = 0;
        std::vector<double> s(static_cast<size_t>(n), 0);
        for (int64_t j = std::max<int64_t>(0, i - w); j <= std::min(causal ? i : n - 1, i + w); ++j) {
          s[static_cast<size_t>(j)] = data.q.row(i).cast<double>().dot(data.k.row(j).cast<double>()) / 4.0;
          mx = std::max(mx, s[static_cast<size_t>(j)]);
        }
        for (int64_t j = std::max<int64_t>(0, i - w); j <= std::min(causal ? i : n - 1, i + w); ++j) {
          const double p = std::exp(s[static_cast<size_t>(j)] - mx);
          sum += p;
          row += p * data.v.row(j).cast<double>();
        }
        row /= sum;
        QVERIFY((r.out.row(i).cast<double>() - row).cwiseAbs().maxCoeff() <= 1e-5 * std::max(1.0, row.cwiseAbs().maxCoeff()));
      }
    }
  }

  void transposeMatchesMap() {
    const int n = 77;
    const HeadData data(n, 8, 21);
    const AttentionSpec spec = specWith("sliding_window", {"window=6", "dilation=2"}, true);
    const MatD a = naiveAttentionMatrix(data.q, data.k, windowMask(6, 2, true));
    const Mat y = randomMatrix(n, 3, 4);
    Mat out(n, 3);
    MemoryMeter meter;
    cpuKernel(spec).applyTransposed(testContext(&meter), spec, data.input(), y, out);
    const MatD expected = a.transpose() * y.cast<double>();
    QVERIFY((out.cast<double>() - expected).cwiseAbs().maxCoeff() < 1e-5 * expected.cwiseAbs().maxCoeff());
  }

  void rejectsBadParameters() {
    AttentionSpec spec = makeSpec("sliding_window");
    try {
      spec.params.assign("dilation=0");
      QFAIL("dilation=0 was accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("dilation"));
    }
    try {
      spec.params.assign("window=-1");
      QFAIL("window=-1 was accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("window"));
    }
  }
};

QTEST_APPLESS_MAIN(TestSlidingWindow)
#include "test_sliding_window.moc"
