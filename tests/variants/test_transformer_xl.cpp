// transformer_xl against dense softmax under its segment/memory mask, and the
// relative-position form against an explicit double-precision reference.
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "exec_context.hpp"

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/transformer_xl.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "naive_reference.hpp"
#include "profiling/profiler.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {


AttentionSpec xlSpec(int segment, int memory, bool relative) {
  AttentionSpec spec = makeSpec("transformer_xl");
  spec.params.setValue("segment", int64_t{segment});
  spec.params.setValue("memory", int64_t{memory});
  spec.params.setValue("relative", relative);
  spec.causal = true;
  return spec;
}

MaskFn xlMask(int segment, int memory) {
  return [=](int64_t i, int64_t j) { return j <= i && j >= transformerXlLowestKey(i, segment, memory); };
}

// softmax over allowed j of s ((q_i + u) . k_j + (q_i + v) . R(i - j)), written out term by term.
MatD relativeMatrix(const Mat& q, const Mat& k, int segment, int memory) {
  const int64_t n = q.rows(), d = q.cols();
  const MatD r = transformerXlRelativeTable(n, d).cast<double>();
  RowVec uf, vf;
  transformerXlBiases(d, uf, vf);
  const Eigen::RowVectorXd u = uf.cast<double>(), v = vf.cast<double>();
  const MaskFn allowed = xlMask(segment, memory);
  MatD a = MatD::Zero(n, n);
  for (int64_t i = 0; i < n; ++i) {
    const Eigen::RowVectorXd qi = q.row(i).cast<double>();
    double mx = -1e300;
    for (int64_t j = 0; j <= i; ++j)
      if (allowed(i, j)) {
        const Eigen::RowVectorXd kj = k.row(j).cast<double>(), rij = r.row(i - j);
        a(i, j) = (qi.dot(kj) + qi.dot(rij) + u.dot(kj) + v.dot(rij)) / std::sqrt(static_cast<double>(d));
        mx = std::max(mx, a(i, j));
      }
    double sum = 0;
    for (int64_t j = 0; j <= i; ++j)
      if (allowed(i, j)) sum += (a(i, j) = std::exp(a(i, j) - mx));
    a.row(i) /= sum;
  }
  return a;
}

MatD reference(const AttentionSpec& spec, const Mat& q, const Mat& k) {
  const int segment = static_cast<int>(spec.params.getInt("segment")), memory = static_cast<int>(spec.params.getInt("memory"));
  return spec.params.getBool("relative") ? relativeMatrix(q, k, segment, memory) : naiveAttentionMatrix(q, k, xlMask(segment, memory));
}

HeadExtras run(const AttentionSpec& spec, const Mat& q, const Mat& k, const Mat& v, Mat& out) {
  out.resize(q.rows(), v.cols());
  MemoryMeter meter;
  return cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, v, out);
}

}  // namespace

class TestTransformerXl : public QObject {
  Q_OBJECT

 private slots:
  void fullMemoryIsCausalDense_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("segment");
    for (int n : {1, 5, 333})
      for (int segment : {1, 7, 64, 100, 1000}) QTest::addRow("n%d_L%d", n, segment) << n << segment;
  }
  void fullMemoryIsCausalDense() {
    QFETCH(int, n);
    QFETCH(int, segment);
    for (int h = 0; h < 2; ++h) {
      const Mat q = randomMatrix(n, 32, 11 + h, 1.5), k = randomMatrix(n, 32, 23 + h, 1.5), v = randomMatrix(n, 32, 37 + h);
      Mat out;
      run(xlSpec(segment, n, false), q, k, v, out);
      QVERIFY(relativeMaxError(out, naiveAttention(q, k, v, causalMask())) < 1e-5);
    }
  }

  void matchesReference_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("segment");
    QTest::addColumn<int>("memory");
    QTest::addColumn<bool>("relative");
    for (bool relative : {false, true})
      for (int n : {1, 5, 333})
        for (auto [segment, memory] : {std::pair{3, 0}, {3, 5}, {16, 16}, {50, 70}, {64, 1}, {128, 500}})
          QTest::addRow("%s_n%d_L%d_M%d", relative ? "rel" : "abs", n, segment, memory) << n << segment << memory << relative;
  }
  void matchesReference() {
    QFETCH(int, n);
    QFETCH(int, segment);
    QFETCH(int, memory);
    QFETCH(bool, relative);
    const AttentionSpec spec = xlSpec(segment, memory, relative);
    for (int h = 0; h < 2; ++h) {
      const Mat q = randomMatrix(n, 16, 11 + h, 1.5), k = randomMatrix(n, 16, 23 + h, 1.5), v = randomMatrix(n, 16, 37 + h);
      Mat out;
      const HeadExtras extras = run(spec, q, k, v, out);
      const MatD a = reference(spec, q, k);
      const Mat expected = (a * v.cast<double>()).cast<float>();
      QVERIFY2(relativeMaxError(out, expected) < 1e-5, qPrintable(QString("relative error %1").arg(relativeMaxError(out, expected))));
      // Memory mass per segment: mean over its queries of the weight before the segment start.
      const int segments = (n + segment - 1) / segment;
      QCOMPARE(static_cast<int>(extras.memoryMass.size()), segments);
      for (int t = 0; t < segments; ++t) {
        const int a0 = t * segment, len = std::min(segment, n - a0);
        double mass = 0;
        for (int i = a0; i < a0 + len; ++i) mass += a.row(i).head(a0).sum();
        QVERIFY2(std::abs(extras.memoryMass[static_cast<size_t>(t)] - mass / len) < 1e-5,
                 qPrintable(QString("segment %1: %2 vs %3").arg(t).arg(extras.memoryMass[static_cast<size_t>(t)]).arg(mass / len)));
      }
    }
  }

  void mapAndTransposeAreExact() {
    const int n = 200, d = 16;
    const Mat q = randomMatrix(n, d, 1, 1.5), k = randomMatrix(n, d, 2, 1.5), y = randomMatrix(n, 3, 3);
    for (bool relative : {false, true}) {
      const AttentionSpec spec = xlSpec(30, 45, relative);
      const Variant& variant = VariantRegistry::instance().get("transformer_xl");
      MemoryMeter meter;
      MapGrid grid = MapGrid::forRequest(MapRequest{}, n, n);
      cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, k, nullptr, 0}, grid);
      const MatD a = reference(spec, q, k);
      QVERIFY((grid.sum.cast<double>() - a).cwiseAbs().maxCoeff() < 1e-5);
      QVERIFY((grid.sum.cast<double>().rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-5);
      // The computed mask is exactly the allowed set.
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) QCOMPARE(grid.computed(i, j) > 0.5f, xlMask(30, 45)(i, j));
      Mat out(n, 3);
      cpuKernel(spec).applyTransposed(testContext(&meter), spec, HeadInput{q, k, k, nullptr, 0}, y, out);
      QVERIFY(relativeMaxError(out, (a.transpose() * y.cast<double>()).cast<float>()) < 1e-5);
    }
  }

  void layoutMatchesCost() {
    const Variant& variant = VariantRegistry::instance().get("transformer_xl");
    for (auto [n, segment, memory] : {std::tuple{333, 50, 70}, {1000, 64, 64}, {777, 13, 200}}) {
      const AttentionSpec spec = xlSpec(segment, memory, false);
      const Shape shape{n, 16, 16, 1, true, 1};
      const std::optional<BlockLayout> layout = variant.layout(spec, shape, nullptr);
      QVERIFY(layout.has_value());
      QCOMPARE(static_cast<double>(layout->countAllowedPairs()), variant.cost(spec, shape).pairs);
      // Work proportional to the band: listed tiles stay within (L + M) / b + 2 per query block.
      QVERIFY(layout->entries() <= layout->rowBlocks() * ((segment + memory) / layout->block + 3));
    }
    QVERIFY(!variant.layout(xlSpec(50, 70, true), Shape{333, 16, 16, 1, true, 1}, nullptr).has_value());
  }

  void noncausalRequestStaysCausal() {
    const int n = 40;
    const Mat q = randomMatrix(n, 8, 1), k = randomMatrix(n, 8, 2), v = randomMatrix(n, 8, 3);
    AttentionSpec spec = xlSpec(10, 10, false);
    spec.causal = false;
    Mat out;
    const HeadExtras extras = run(spec, q, k, v, out);
    QVERIFY(relativeMaxError(out, naiveAttention(q, k, v, xlMask(10, 10))) < 1e-5);
    QVERIFY(!extras.notes.empty());
  }

  void workspaceWithinPrediction() {
    const Variant& variant = VariantRegistry::instance().get("transformer_xl");
    for (bool relative : {false, true}) {
      const AttentionSpec spec = xlSpec(128, 256, relative);
      const Shape shape{4096, 32, 32, 1, true, ThreadPool::shared().size()};
      const CostEstimate c = variant.cost(spec, shape);
      const Mat q = randomMatrix(4096, 32, 1), k = randomMatrix(4096, 32, 2), v = randomMatrix(4096, 32, 3);
      Mat out;
      MemoryMeter meter;
      out.resize(4096, 32);
      cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, v, out);
      QVERIFY2(meter.peak() <= c.workspaceBytes && meter.peak() >= 0.5 * c.workspaceBytes,
               qPrintable(QString("relative=%1 peak %2, predicted %3").arg(relative).arg(meter.peak()).arg(c.workspaceBytes)));
    }
  }
};

QTEST_APPLESS_MAIN(TestTransformerXl)
#include "test_transformer_xl.moc"
