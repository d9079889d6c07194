// The online-softmax tile math that the CUDA kernels use compiles for the host
// too, so it is tested here, in every build, with or without CUDA.
#include <QtTest>

#include <cmath>

// The header is plain C++ on the host (no CUDA headers), so core suites can include it.
#include "../../kernels/tile_math.hpp"

using namespace attnscope;

class TestTileMath : public QObject {
  Q_OBJECT

 private slots:
  void tileMathMatchesSoftmax() {
    // The online update over a stream equals a two-pass softmax.
    const float scores[] = {0.5f, -1.0f, 3.0f, -INFINITY, 2.0f, 2.9f};
    const float values[] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
    kernels::RowState st = kernels::initialRowState();
    float acc = 0;
    for (int i = 0; i < 6; ++i) {
      float p;
      const float rescale = kernels::onlineSoftmaxStep(st, scores[i], &p);
      acc = acc * rescale + p * values[i];
    }
    double m = 3.0, sum = 0, expect = 0;
    for (int i = 0; i < 6; ++i)
      if (std::isfinite(scores[i])) {
        sum += std::exp(scores[i] - m);
        expect += std::exp(scores[i] - m) * values[i];
      }
    QVERIFY(std::abs(acc / st.l - expect / sum) < 1e-6);
    QVERIFY(std::abs(kernels::rowLogSumExp(st) - (m + std::log(sum))) < 1e-6);
    QVERIFY(std::isinf(kernels::rowLogSumExp(kernels::initialRowState())));
  }

};

QTEST_GUILESS_MAIN(TestTileMath)
#include "test_tile_math.moc"
