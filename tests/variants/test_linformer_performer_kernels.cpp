// The low-rank variants' kernels on every ISA path this CPU can run, forced
// in turn: the exponentials against std::exp, the thin product against a
// plain double sum.
#include <QtTest>

#include <cmath>
#include <vector>

#include "backend/cpu/lowrank_kernels.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "common/types.hpp"

using namespace attnscope;

class TestLinformerPerformerKernels : public QObject {
  Q_OBJECT

 private slots:
  void matchesStdExpOnEveryPath() {
    const CpuIsa original = cpuIsa();
    for (CpuIsa isa : {CpuIsa::Generic, CpuIsa::Avx2, CpuIsa::Avx512}) {
      if (!setCpuIsa(isa)) continue;
      for (int count : {1, 15, 16, 17, 100, 256}) {  // tails and whole vectors
        std::vector<float> x(static_cast<size_t>(count) + 1, 12345.0f);  // one guard value past the end
        for (int i = 0; i < count; ++i) x[static_cast<size_t>(i)] = -90.0f + 95.0f * static_cast<float>(i) / static_cast<float>(count);
        const std::vector<float> in = x;
        const float shift = 3.0f, floor = 60.0f;
        expShiftedFloor(x.data(), count, shift, floor);
        QCOMPARE(x[static_cast<size_t>(count)], 12345.0f);
        for (int i = 0; i < count; ++i) {
          const double arg = static_cast<double>(in[static_cast<size_t>(i)]) - shift;
          const float got = x[static_cast<size_t>(i)];
          QVERIFY(got >= 0 && std::fpclassify(got) != FP_SUBNORMAL);
          if (arg < -floor) {
            QCOMPARE(got, 0.0f);
          } else {
            // A few ulp, plus the flushed floor e^-60 (negligible beside any row's largest weight, 1).
            const double want = std::exp(arg);
            QVERIFY2(std::abs(got - want) <= 4e-7 * want + std::exp(-floor),
                     qPrintable(QString("%1 at %2: %3 vs %4").arg(cpuIsaName()).arg(arg).arg(got).arg(want)));
          }
        }
      }
    }
    setCpuIsa(original);
  }

  void thinProductMatchesSum() {
    const CpuIsa original = cpuIsa();
    for (CpuIsa isa : {CpuIsa::Generic, CpuIsa::Avx2, CpuIsa::Avx512}) {
      if (!setCpuIsa(isa)) continue;
      for (int m : {1, 5, 6, 7, 13, 32})
        for (int w : {16, 48, 64, 80, 128})
          for (int n : {1, 255, 257, 1000}) {
            const Mat a = Mat::Random(m, n + 3), b = Mat::Random(n, w + 5);  // strides wider than the used block
            const Mat at = a.transpose();                                    // the same a, read through ars = 1
            for (int form = 0; form < 3; ++form) {                           // row-major, transposed, accumulating
              Mat out = Mat::Constant(m, w + 2, 7.0f);
              const bool ran = form == 1 ? narrowProduct(m, w, n, at.data(), 1, at.cols(), b.data(), b.cols(), out.data(), out.cols())
                                         : narrowProduct(m, w, n, a.data(), a.cols(), 1, b.data(), b.cols(), out.data(), out.cols(), form == 2);
              QCOMPARE(ran, isa != CpuIsa::Generic);
              if (!ran) {
                QCOMPARE(out, Mat(Mat::Constant(m, w + 2, 7.0f)));  // untouched: the caller falls back to sgemm
                continue;
              }
              Eigen::MatrixXd want = a.leftCols(n).cast<double>() * b.leftCols(w).cast<double>();
              if (form == 2) want.array() += 7.0;
              const double err = (out.leftCols(w).cast<double>() - want).cwiseAbs().maxCoeff();
              QVERIFY2(err < 1e-4 * std::sqrt(static_cast<double>(n)), qPrintable(QString("m=%1 w=%2 n=%3 form %4: %5").arg(m).arg(w).arg(n).arg(form).arg(err)));
              QCOMPARE(out.col(w)(0), 7.0f);  // columns past w untouched
            }
          }
      QVERIFY(!narrowProduct(4, 24, 10, nullptr, 10, 1, nullptr, 24, nullptr, 24));  // w not a multiple of 16
    }
    setCpuIsa(original);
  }
};

QTEST_APPLESS_MAIN(TestLinformerPerformerKernels)
#include "test_linformer_performer_kernels.moc"
