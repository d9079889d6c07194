// Spectra of A: low-rank variants have the rank they are built with, a
// sliding window has full numerical rank, and the randomized SVD (matrix-free,
// through apply and applyTransposed) agrees with the exact one.
#include <QtTest>

#include "analysis/analysis_run.hpp"
#include "analysis/spectrum.hpp"
#include "analysis_test_helpers.hpp"
#include "common/error.hpp"
#include "featurize/featurizer.hpp"
#include "sequence/samples.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

// The built-in document, featurized: attention with real long-range structure.
Qkv documentQkv(int64_t n, int d) {
  FeaturizeOptions o;
  o.heads = 1;
  o.d = d;
  return featurize(makeSample("document", n, 1), o);
}

Spectrum spectrumOf(const std::string& variant, const std::vector<std::pair<std::string, int64_t>>& params, const Qkv& qkv, SpectrumOptions o = {}) {
  AttentionSpec spec = makeSpec(variant);
  for (const auto& [name, value] : params) spec.params.setValue(name, value);
  const HeadInput in = headOf(qkv);
  MemoryMeter meter;
  const ExecContext ctx = testContext(&meter);
  return computeSpectrum(CpuHeadOperator(cpuKernel(spec), spec, in, ctx), o);
}

}  // namespace

class TestSpectrum : public QObject {
  Q_OBJECT

 private slots:
  void linformerHasRankK() {
    const Spectrum s = spectrumOf("linformer", {{"k", 32}}, documentQkv(512, 32));
    QCOMPARE(s.method, std::string("exact"));
    QCOMPARE(static_cast<int64_t>(s.sigma.size()), int64_t{512});
    const double ratio = s.sigma[32] / s.sigma[0];
    qInfo("linformer k=32: sigma33/sigma1 = %.3g", ratio);
    QVERIFY2(ratio < 1e-4, qPrintable(QString::number(ratio)));
    QVERIFY2(s.sigma[31] / s.sigma[0] > 1e-6, qPrintable(QString::number(s.sigma[31] / s.sigma[0])));  // well above float noise: rank k, not less
    QVERIFY(s.numericalRank <= 32);
  }

  void performerHasRankM() {
    const Spectrum s = spectrumOf("performer", {{"features", 64}}, documentQkv(512, 32));
    const double ratio = s.sigma[64] / s.sigma[0];
    qInfo("performer m=64: sigma65/sigma1 = %.3g", ratio);
    QVERIFY2(ratio < 1e-4, qPrintable(QString::number(ratio)));
    QVERIFY(s.numericalRank <= 64);
  }

  void slidingWindowHasFullRank() {
    const int64_t n = 512;
    const Spectrum s = spectrumOf("sliding_window", {{"window", 16}}, documentQkv(n, 32));
    qInfo("sliding_window w=16: sigma_n/sigma_1 = %.3g, tolerance %.3g", s.sigma.back() / s.sigma[0], s.tolerance / s.sigma[0]);
    QCOMPARE(s.numericalRank, n);
  }

  // n = 2048: performer (m = 64) on the document has a decaying spectrum, so the
  // leading 32 values are well defined; the randomized SVD uses 48 probes.
  void randomizedAgreesWithExact() {
    const Qkv qkv = documentQkv(2048, 32);
    SpectrumOptions o;
    o.rank = 32;
    const Spectrum exact = spectrumOf("performer", {{"features", 64}}, qkv, o);
    o.forceRandomized = true;
    const Spectrum randomized = spectrumOf("performer", {{"features", 64}}, qkv, o);
    QCOMPARE(exact.method, std::string("exact"));
    QCOMPARE(randomized.method, std::string("randomized"));
    QCOMPARE(static_cast<int64_t>(randomized.sigma.size()), int64_t{32});
    QVERIFY(exact.sigma[31] / exact.sigma[0] < 0.1);  // the spectrum does decay
    double worst = 0;
    for (int i = 0; i < 32; ++i) worst = std::max(worst, std::abs(randomized.sigma[i] - exact.sigma[i]) / exact.sigma[i]);
    qInfo("randomized vs exact, top 32 at n = 2048: worst relative difference %.3g", worst);
    QVERIFY2(worst < 1e-3, qPrintable(QString::number(worst)));
    // The probe estimate of ||A||_F^2 is close to the exact one.
    QVERIFY(std::abs(randomized.totalEnergy - exact.totalEnergy) < 0.3 * exact.totalEnergy);
  }

  void summaryNumbers() {
    Spectrum s;
    s.n = 4;
    s.sigma = {2, 1, 1, 0};
    s.totalEnergy = 6;
    summarizeSpectrum(s);
    QCOMPARE(s.cumulativeEnergy.size(), size_t{4});
    QVERIFY(std::abs(s.cumulativeEnergy[0] - 4.0 / 6) < 1e-12);
    QVERIFY(std::abs(s.cumulativeEnergy[2] - 1.0) < 1e-12);
    QCOMPARE(s.rank90, int64_t{3});
    QCOMPARE(s.rank99, int64_t{3});
    QCOMPARE(s.numericalRank, int64_t{3});
    // p = (1/2, 1/4, 1/4): entropy 1.5 log 2, effective rank 2^1.5.
    QVERIFY(std::abs(s.entropyRank - std::pow(2.0, 1.5)) < 1e-9);
  }

  void marksComeFromTheVariant() {
    const Qkv qkv = documentQkv(256, 16);
    AttentionSpec spec = makeSpec("linformer");
    spec.params.setValue("k", int64_t{20});
    AnalysisRequest request;
    request.spectrum = true;
    const AnalysisResult r = analyzeHead(spec, qkv, nullptr, request);
    QVERIFY(r.spectrum);
    QCOMPARE(r.spectrum->marks.size(), size_t{1});
    QCOMPARE(r.spectrum->marks[0].name, std::string("k"));
    QCOMPARE(r.spectrum->marks[0].index, int64_t{20});
    QVERIFY(r.spectrum->marks[0].ratioAfter >= 0 && r.spectrum->marks[0].ratioAfter < 1e-4);
  }

  void badOptionsAreRefused() {
    SpectrumOptions o;
    o.rank = 0;
    QVERIFY_THROWS_EXCEPTION(Error, spectrumOf("dense", {}, randomQkv(16, 4, 1), o));
  }
};

QTEST_APPLESS_MAIN(TestSpectrum)
#include "test_spectrum.moc"
