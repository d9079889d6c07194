// memory_slots: a hand-worked tiny case, then the recurrence in double
// precision on larger shapes, linearity, and the exact token-to-token map.
#include <QtTest>

#include "backend/cpu/head_kernel.hpp"
#include "exec_context.hpp"

#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "attention/variants/memory_slots.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "naive_reference.hpp"
#include "profiling/profiler.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {


AttentionSpec slotsSpec(int slotCount, int segment, double gate, bool causal) {
  AttentionSpec spec = makeSpec("memory_slots");
  spec.params.setValue("slots", int64_t{slotCount});
  spec.params.setValue("segment", int64_t{segment});
  spec.params.setValue("gate", gate);
  spec.causal = causal;
  return spec;
}

Eigen::VectorXd softmax(const Eigen::VectorXd& s) {
  const Eigen::VectorXd e = (s.array() - s.maxCoeff()).exp();
  return e / e.sum();
}

// The definition followed step by step in double: A over tokens, slot states
// and provenance after every segment, memory mass per segment.
struct Reference {
  MatD a;
  std::vector<MatD> states, provenance;
  std::vector<double> mass;
};

Reference reference(const Mat& qf, const Mat& kf, const Mat& vf, int S, int L, double g, bool causal) {
  const int64_t n = qf.rows(), d = qf.cols();
  const double s = 1.0 / std::sqrt(static_cast<double>(d));
  const MatD q = qf.cast<double>(), k = kf.cast<double>(), v = vf.cast<double>();
  MatD m = memorySlotsInitialQueries(S, d).cast<double>(), p = MatD::Zero(S, n);
  Reference r;
  r.a = MatD::Zero(n, n);
  for (int64_t a = 0, t = 0; a < n; a += L, ++t) {
    const int64_t len = std::min<int64_t>(L, n - a), slotCount = t == 0 ? 0 : S;
    double mass = 0;
    for (int64_t i = a; i < a + len; ++i) {
      const int64_t tokens = causal ? i - a + 1 : len;
      Eigen::VectorXd scores(slotCount + tokens);
      for (int64_t j = 0; j < slotCount; ++j) scores(j) = s * q.row(i).dot(m.row(j));
      for (int64_t j = 0; j < tokens; ++j) scores(slotCount + j) = s * q.row(i).dot(k.row(a + j));
      const Eigen::VectorXd w = softmax(scores);
      for (int64_t j = 0; j < slotCount; ++j) r.a.row(i) += w(j) * p.row(j);
      for (int64_t j = 0; j < tokens; ++j) r.a(i, a + j) += w(slotCount + j);
      mass += w.head(slotCount).sum();
    }
    r.mass.push_back(mass / static_cast<double>(len));
    MatD written(S, n);
    written.setZero();
    for (int64_t j = 0; j < S; ++j) {
      Eigen::VectorXd scores(len);
      for (int64_t c = 0; c < len; ++c) scores(c) = s * m.row(j).dot(k.row(a + c));
      written.row(j).segment(a, len) = softmax(scores).transpose();
    }
    p = t == 0 ? written : MatD(g * p + (1 - g) * written);
    m = p * v;
    r.states.push_back(m);
    r.provenance.push_back(p.leftCols(a + len));
  }
  return r;
}

HeadExtras run(const AttentionSpec& spec, const Mat& q, const Mat& k, const Mat& v, const Mat& x, Mat& out) {
  out.resize(q.rows(), x.cols());
  MemoryMeter meter;
  return cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, x, out);
}

MatD exactMap(const AttentionSpec& spec, const Mat& q, const Mat& k, const Mat& v) {
  MemoryMeter meter;
  MapGrid grid = MapGrid::forRequest(MapRequest{}, q.rows(), q.rows());
  cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, grid);
  return grid.sum.cast<double>();
}

}  // namespace

class TestMemorySlots : public QObject {
  Q_OBJECT

 private slots:
  // n = 4, d = 2, one slot, segments {0, 1} and {2, 3}, gate 1/2, non-causal.
  void handComputation() {
    Mat q(4, 2), k(4, 2), v(4, 2);
    q << 1, 0, 0, 1, 1, 1, -1, 0;
    k << 1, 0, 0, 1, 1, -1, 0, 2;
    v << 1, 2, 3, 4, -1, 0, 2, -2;
    const double s = 1.0 / std::sqrt(2.0), g = 0.5;
    const Eigen::RowVectorXd m0 = memorySlotsInitialQueries(1, 2).row(0).cast<double>();
    const Eigen::RowVector2d v0(1, 2), v1(3, 4), v2(-1, 0), v3(2, -2);
    const Eigen::RowVector2d k0(1, 0), k1(0, 1), k2(1, -1), k3(0, 2);
    auto pair = [](double x, double y) {  // softmax of two scores: weight of the first
      return 1.0 / (1.0 + std::exp(y - x));
    };

    // Segment 0 reads only itself (memory empty). q0 = (1,0): scores s*1, s*0; q1 = (0,1): s*0, s*1.
    const double w00 = pair(s, 0), w11 = pair(s, 0);
    const Eigen::RowVector2d o0 = w00 * v0 + (1 - w00) * v1, o1 = (1 - w11) * v0 + w11 * v1;
    // First write: M1 = softmax(s m0 . [k0, k1]) [v0; v1].
    const double a0 = pair(s * m0.dot(k0), s * m0.dot(k1));
    const Eigen::RowVector2d m1 = a0 * v0 + (1 - a0) * v1;
    // Segment 1 reads [M1; k2, k3]: q2 = (1,1), q3 = (-1,0).
    auto read = [&](const Eigen::RowVector2d& qi, double* slotWeight) {
      Eigen::Vector3d e(s * qi.dot(m1), s * qi.dot(k2), s * qi.dot(k3));
      e = (e.array() - e.maxCoeff()).exp();
      e /= e.sum();
      *slotWeight = e(0);
      return Eigen::RowVector2d(e(0) * m1 + e(1) * v2 + e(2) * v3);
    };
    double slot2 = 0, slot3 = 0;
    const Eigen::RowVector2d o2 = read(Eigen::RowVector2d(1, 1), &slot2), o3 = read(Eigen::RowVector2d(-1, 0), &slot3);
    // Second write: M2 = g M1 + (1 - g) softmax(s M1 . [k2, k3]) [v2; v3].
    const double b2 = pair(s * m1.dot(k2), s * m1.dot(k3));
    const Eigen::RowVector2d m2 = g * m1 + (1 - g) * (b2 * v2 + (1 - b2) * v3);

    Mat out;
    const HeadExtras extras = run(slotsSpec(1, 2, g, false), q, k, v, v, out);
    const Eigen::RowVector2d expected[4] = {o0, o1, o2, o3};
    for (int i = 0; i < 4; ++i) QVERIFY2((out.row(i).cast<double>() - expected[i]).norm() < 1e-5, qPrintable(QString("row %1").arg(i)));
    QCOMPARE(static_cast<int>(extras.memory.size()), 2);
    QVERIFY((extras.memory[0].slotValues.row(0).cast<double>() - m1).norm() < 1e-5);
    QVERIFY((extras.memory[1].slotValues.row(0).cast<double>() - m2).norm() < 1e-5);
    // Provenance: [a0, 1 - a0], then [g a0, g (1 - a0), (1 - g) b2, (1 - g)(1 - b2)].
    QCOMPARE(extras.memory[0].provenance.cols(), 2);
    QVERIFY(std::abs(extras.memory[0].provenance(0, 0) - a0) < 1e-6);
    const Eigen::Vector4d p1(g * a0, g * (1 - a0), (1 - g) * b2, (1 - g) * (1 - b2));
    QVERIFY((extras.memory[1].provenance.row(0).transpose().cast<double>() - p1).norm() < 1e-6);
    QCOMPARE(extras.memoryMass.size(), size_t{2});
    QCOMPARE(extras.memoryMass[0], 0.0);
    QVERIFY(std::abs(extras.memoryMass[1] - (slot2 + slot3) / 2) < 1e-6);
  }

  void matchesReference_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("segment");
    QTest::addColumn<double>("gate");
    QTest::addColumn<bool>("causal");
    for (bool causal : {false, true})
      for (int n : {1, 4, 5, 333})
        for (auto [slotCount, segment, gate] : {std::tuple{1, 2, 0.5}, {2, 2, 0.0}, {4, 50, 0.9}, {8, 70, 1.0}, {3, 1000, 0.5}})
          QTest::addRow("%s_n%d_S%d_L%d_g%.1f", causal ? "causal" : "full", n, slotCount, segment, gate) << n << slotCount << segment << gate << causal;
  }
  void matchesReference() {
    QFETCH(int, n);
    QFETCH(int, slotCount);
    QFETCH(int, segment);
    QFETCH(double, gate);
    QFETCH(bool, causal);
    const AttentionSpec spec = slotsSpec(slotCount, segment, gate, causal);
    for (int h = 0; h < 2; ++h) {
      const Mat q = randomMatrix(n, 8, 11 + h, 1.2), k = randomMatrix(n, 8, 23 + h, 1.2), v = randomMatrix(n, 8, 37 + h);
      const Reference ref = reference(q, k, v, slotCount, segment, gate, causal);
      Mat out;
      const HeadExtras extras = run(spec, q, k, v, v, out);
      QVERIFY(relativeMaxError(out, (ref.a * v.cast<double>()).cast<float>()) < 1e-5);
      QCOMPARE(extras.memory.size(), ref.states.size());
      for (size_t t = 0; t < ref.states.size(); ++t) {
        QVERIFY((extras.memory[t].slotValues.cast<double>() - ref.states[t]).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY((extras.memory[t].provenance.cast<double>() - ref.provenance[t]).cwiseAbs().maxCoeff() < 1e-6);
        // Slot contents are exactly provenance times values.
        QVERIFY((extras.memory[t].provenance * v.topRows(extras.memory[t].endToken) - extras.memory[t].slotValues).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY(std::abs(extras.memoryMass[t] - ref.mass[t]) < 1e-6);
      }
      if (n <= 333) {
        const MatD map = exactMap(spec, q, k, v);
        QVERIFY((map - ref.a).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY((map.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-5);
      }
    }
  }

  void linearInValuesAndMatchesForward() {
    const int n = 333;
    const Mat q = randomMatrix(n, 8, 1), k = randomMatrix(n, 8, 2), v = randomMatrix(n, 8, 3);
    const Mat x1 = randomMatrix(n, 5, 4), x2 = randomMatrix(n, 5, 5);
    for (bool causal : {false, true}) {
      const AttentionSpec spec = slotsSpec(6, 40, 0.7, causal);
      Mat o1, o2, o12, forward;
      run(spec, q, k, v, x1, o1);
      run(spec, q, k, v, x2, o2);
      run(spec, q, k, v, Mat(2.0f * x1 - 3.0f * x2), o12);
      QVERIFY(relativeMaxError(o12, Mat(2.0f * o1 - 3.0f * o2)) < 1e-5);
      run(spec, q, k, v, v, forward);
      const MatD map = exactMap(spec, q, k, v);
      QVERIFY(relativeMaxError(forward, (map * v.cast<double>()).cast<float>()) < 1e-5);
      QVERIFY(relativeMaxError(o1, (map * x1.cast<double>()).cast<float>()) < 1e-5);
      // A^T y against the map.
      Mat t(n, 5);
      MemoryMeter meter;
      cpuKernel(spec).applyTransposed(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, x1, t);
      QVERIFY(relativeMaxError(t, (map.transpose() * x1.cast<double>()).cast<float>()) < 1e-5);
    }
  }

  void mapOfARegion() {
    const int n = 300;
    const Mat q = randomMatrix(n, 8, 6), k = randomMatrix(n, 8, 7), v = randomMatrix(n, 8, 8);
    const AttentionSpec spec = slotsSpec(4, 32, 0.6, true);
    MapRequest request;
    request.i0 = 100, request.i1 = 250, request.j0 = 20, request.j1 = 180;
    MapGrid grid = MapGrid::forRequest(request, n, n);
    MemoryMeter meter;
    cpuKernel(spec).map(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, grid);
    const MatD full = reference(q, k, v, 4, 32, 0.6, true).a;
    QVERIFY((grid.sum.cast<double>() - full.block(100, 20, 150, 160)).cwiseAbs().maxCoeff() < 1e-5);
  }

  void traceStaysBounded() {
    // 5000 one-token segments: at most 256 snapshots, and no provenance beyond n = 4096.
    const int n = 5000;
    const Mat q = randomMatrix(n, 8, 1), k = randomMatrix(n, 8, 2), v = randomMatrix(n, 8, 3);
    Mat out;
    const HeadExtras extras = run(slotsSpec(2, 1, 0.5, true), q, k, v, v, out);
    QVERIFY(extras.memory.size() <= 256);
    QCOMPARE(extras.memory.back().endToken, int64_t{n});
    QCOMPARE(extras.memoryMass.size(), size_t{n});
    for (const MemorySnapshot& snap : extras.memory) QCOMPARE(snap.provenance.size(), Eigen::Index{0});
    QVERIFY(out.allFinite());
    QVERIFY(extras.notes.size() >= 3);
  }

  // V narrower than Q and K (an exported model's values, say) is refused with both widths named, not read past its end.
  void refusesValuesOfAnotherWidth() {
    const Mat q = randomMatrix(40, 16, 1), k = randomMatrix(40, 16, 2), v = randomMatrix(40, 8, 3);
    Mat out;
    try {
      run(slotsSpec(4, 10, 0.5, true), q, k, v, v, out);
      QFAIL("dv != d accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("d = 16, dv = 8") != std::string::npos, e.what());
    }
  }

  void workspaceWithinPrediction() {
    const Variant& variant = VariantRegistry::instance().get("memory_slots");
    for (int n : {2048, 8192}) {
      const AttentionSpec spec = slotsSpec(16, 128, 0.5, true);
      const CostEstimate c = variant.cost(spec, Shape{n, 32, 32, 1, true, ThreadPool::shared().size()});
      const Mat q = randomMatrix(n, 32, 1), k = randomMatrix(n, 32, 2), v = randomMatrix(n, 32, 3);
      MemoryMeter meter;
      Mat out(n, 32);
      cpuKernel(spec).apply(testContext(&meter), spec, HeadInput{q, k, v, nullptr, 0}, v, out);
      QVERIFY2(meter.peak() <= c.workspaceBytes && meter.peak() >= 0.5 * c.workspaceBytes,
               qPrintable(QString("n=%1 peak %2, predicted %3").arg(n).arg(meter.peak()).arg(c.workspaceBytes)));
    }
  }
};

QTEST_APPLESS_MAIN(TestMemorySlots)
#include "test_memory_slots.moc"
