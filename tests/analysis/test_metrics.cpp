// Metrics against dense: zero for dense itself, positive for a variant that
// drops pairs, log n for a uniform row; KL rules for zeros and for rows that
// are not distributions; global and memory mass; stripes change nothing.
#include <QtTest>

#include "analysis/analysis_run.hpp"
#include "analysis/metrics.hpp"
#include "analysis_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

Metrics metricsOf(const std::string& variant, const std::vector<std::pair<std::string, ParamValue>>& params, const Qkv& qkv, bool causal = false,
                  int64_t stripeFloats = int64_t{1} << 20) {
  AttentionSpec spec = makeSpec(variant);
  for (const auto& [name, value] : params) spec.params.setValue(name, value);
  spec.causal = causal;
  AnalysisRequest request;
  request.metrics = true;
  request.metricsStripeFloats = stripeFloats;
  const AnalysisResult r = analyzeHead(spec, qkv, nullptr, request);
  if (!r.metrics) throw std::runtime_error("no metrics");
  return *r.metrics;
}

}  // namespace

class TestMetrics : public QObject {
  Q_OBJECT

 private slots:
  void denseAgainstItselfIsZero() {
    const Metrics m = metricsOf("dense", {}, randomQkv(300, 16, 1));
    QCOMPARE(m.outputRelativeError, 0.0);
    QCOMPARE(m.klDenseToVariant.finite.rows, int64_t{300});
    QVERIFY(m.klDenseToVariant.finite.max < 1e-9);
    QVERIFY(m.klVariantToDense.finite.max < 1e-9);
    QCOMPARE(m.klDenseToVariant.infiniteRows, int64_t{0});
    QCOMPARE(m.rowsNotDistributions, int64_t{0});
    QVERIFY(std::abs(m.entropy.mean - m.entropyDense.mean) < 1e-9);
    QVERIFY(!m.global);
    QVERIFY(!m.memoryMassMean);
  }

  void droppedPairsGivePositiveError() {
    const int64_t n = 256;
    const Metrics m = metricsOf("sliding_window", {{"window", int64_t{8}}}, randomQkv(n, 16, 2, 0.5));
    qInfo("sliding_window w=8: O error %.4f, KL(variant||dense) mean %.4f", m.outputRelativeError, m.klVariantToDense.finite.mean);
    QVERIFY(m.outputRelativeError > 1e-2);
    // Dense is positive everywhere, the window is zero outside the band: infinite one way, finite the other.
    QCOMPARE(m.klDenseToVariant.infiniteRows, n);
    QCOMPARE(m.klVariantToDense.finite.rows, n);
    QVERIFY(m.klVariantToDense.finite.mean > 0);
    QVERIFY(m.entropy.mean < m.entropyDense.mean);  // fewer keys, less spread
    QVERIFY(m.distance.max <= 8.0 + 1e-9);           // never further than the window
    QVERIFY(m.distanceDense.mean > m.distance.mean);
  }

  void attentionRecallIsDenseMassInsideTheWindow() {
    // Recall of a window against a plain count: the dense weights of each row
    // summed over |i - j| <= w, from an explicit softmax.
    const int64_t n = 200, w = 6;
    const Qkv qkv = randomQkv(n, 16, 4, 0.7);
    const Metrics m = metricsOf("sliding_window", {{"window", w}}, qkv);
    const Mat& q = qkv.q.front();
    const Mat& k = qkv.k.front();
    const double scale = 1.0 / std::sqrt(16.0);
    double sum = 0, worst = 1;
    for (int64_t i = 0; i < n; ++i) {
      std::vector<double> s(static_cast<size_t>(n));
      double mx = -1e300, z = 0, inside = 0;
      for (int64_t j = 0; j < n; ++j) mx = std::max(mx, s[static_cast<size_t>(j)] = scale * q.row(i).cast<double>().dot(k.row(j).cast<double>()));
      for (int64_t j = 0; j < n; ++j) z += std::exp(s[static_cast<size_t>(j)] - mx);
      for (int64_t j = std::max<int64_t>(0, i - w); j <= std::min(n - 1, i + w); ++j) inside += std::exp(s[static_cast<size_t>(j)] - mx) / z;
      sum += inside;
      worst = std::min(worst, inside);
    }
    qInfo("sliding_window w=%lld: recall mean %.4f (reference %.4f), worst %.4f (reference %.4f)", static_cast<long long>(w), m.recall.mean,
          sum / n, m.recall.min, worst);
    QCOMPARE(m.recall.rows, n);
    QVERIFY(std::abs(m.recall.mean - sum / n) < 1e-4);
    QVERIFY(std::abs(m.recall.min - worst) < 1e-4);
    QVERIFY(m.recall.mean < 0.99);
    // Dense sees every key: recall 1.
    const Metrics d = metricsOf("dense", {}, qkv);
    QVERIFY(std::abs(d.recall.mean - 1.0) < 1e-5);
    QVERIFY(std::abs(d.recall.min - 1.0) < 1e-5);
  }

  void uniformRowHasEntropyLogN() {
    const int64_t n = 500;
    Qkv qkv = randomQkv(n, 8, 3);
    qkv.q.front().setZero();  // every score equal: uniform rows
    const Metrics m = metricsOf("dense", {}, qkv);
    QVERIFY(std::abs(m.entropy.mean - std::log(double(n))) < 1e-4);
    QVERIFY(std::abs(m.entropy.min - std::log(double(n))) < 1e-4);
    QCOMPARE(m.uniformEntropy, std::log(double(n)));
    // Mean distance of a uniform row i is sum_j |i - j| / n; averaged over i it is (n^2 - 1) / (3 n).
    QVERIFY(std::abs(m.distance.mean - (double(n) * n - 1) / (3.0 * n)) < 1e-2);
    std::vector<float> row(64, 1.0f / 64);
    QVERIFY(std::abs(rowEntropy(row.data(), 64) - std::log(64.0)) < 1e-6);
  }

  void klRules() {
    const float p[3] = {0.5f, 0.5f, 0.0f}, q[3] = {0.25f, 0.25f, 0.5f}, z[3] = {1.0f, 0.0f, 0.0f};
    QVERIFY(std::abs(rowKl(p, q, 3) - std::log(2.0)) < 1e-7);
    QVERIFY(std::isinf(rowKl(p, z, 3)));
    QVERIFY(std::abs(rowKl(z, p, 3) - std::log(2.0)) < 1e-7);
    const float negative[3] = {1.2f, -0.2f, 0.0f}, short_[3] = {0.3f, 0.3f, 0.0f};
    QVERIFY(!isDistribution(negative, 3));
    QVERIFY(!isDistribution(short_, 3));
    QVERIFY(isDistribution(p, 3));
  }

  void gaussianLinformerRowsAreNotDistributions() {
    const Metrics m = metricsOf("linformer", {{"k", int64_t{16}}}, randomQkv(200, 16, 4));
    QVERIFY(m.rowsNotDistributions > 0);
    QCOMPARE(m.klDenseToVariant.undefinedRows, m.rowsNotDistributions);
    QCOMPARE(m.entropy.rows, 200 - m.rowsNotDistributions);
    QVERIFY(m.outputRelativeError > 0);
  }

  void massOnGlobalTokens() {
    const Metrics lf = metricsOf("longformer", {{"window", int64_t{4}}, {"globals", int64_t{3}}}, randomQkv(256, 16, 5, 0.5));
    QVERIFY(lf.global);
    QCOMPARE(lf.global->tokens, int64_t{3});
    QVERIFY(lf.global->variant > 0 && lf.global->variant < 1);
    // Few keys besides the globals: the variant puts more weight on them than dense does.
    QVERIFY(lf.global->variant > lf.global->dense);
    const Metrics bb = metricsOf("bigbird", {{"block", int64_t{16}}, {"global_blocks", int64_t{2}}}, randomQkv(256, 16, 6, 0.5));
    QVERIFY(bb.global);
    QCOMPARE(bb.global->tokens, int64_t{32});
    QVERIFY(!metricsOf("sliding_window", {}, randomQkv(128, 8, 7)).global);
  }

  void massOnMemory() {
    const Metrics xl = metricsOf("transformer_xl", {{"segment", int64_t{32}}, {"memory", int64_t{32}}}, randomQkv(128, 16, 8, 0.5), true);
    QCOMPARE(xl.memoryMassPerSegment.size(), size_t{4});
    QCOMPARE(xl.memoryMassPerSegment[0], 0.0);  // nothing cached before the first segment
    QVERIFY(xl.memoryMassPerSegment[1] > 0 && xl.memoryMassPerSegment[1] < 1);
    QVERIFY(xl.memoryMassMean && *xl.memoryMassMean > 0);
    const Metrics ms = metricsOf("memory_slots", {{"segment", int64_t{32}}, {"slots", int64_t{4}}}, randomQkv(128, 16, 9, 0.5));
    QCOMPARE(ms.memoryMassPerSegment.size(), size_t{4});
    QVERIFY(ms.memoryMassPerSegment[2] > 0);
  }

  void stripesChangeNothing() {
    const Qkv qkv = randomQkv(300, 16, 10, 0.6);
    const Metrics one = metricsOf("bigbird", {{"block", int64_t{16}}}, qkv);
    const Metrics many = metricsOf("bigbird", {{"block", int64_t{16}}}, qkv, false, 64 * 300 / 2);  // forces 64-row stripes
    QCOMPARE(one.stripeRows, int64_t{300});
    QCOMPARE(many.stripeRows, int64_t{64});
    QVERIFY(std::abs(one.klVariantToDense.finite.mean - many.klVariantToDense.finite.mean) < 1e-9);
    QVERIFY(std::abs(one.entropy.mean - many.entropy.mean) < 1e-9);
    QVERIFY(std::abs(one.frobeniusSquared - many.frobeniusSquared) < 1e-9);
  }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
