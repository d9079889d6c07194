// linformer and performer on the CUDA backend against the CPU backend: fp32
// within 1e-4 relative (max error over max magnitude), H = 2 heads, odd and
// even n, d = 32 and 64. Skipped, with the reason, where no GPU is found;
// what the kernel table refuses is checked everywhere (it needs no device).
// fp16/bf16 performer: no worse than twice a naive same-precision FAVOR+
// (naivePerformer, whose unrounded form is checked against the CPU here).
#include <QtTest>

#include <cuda_runtime.h>

#include <cmath>

#include "analysis/analysis_run.hpp"
#include "attention/registry.hpp"
#include "attention/variants/performer.hpp"
#include "backend/backend.hpp"
#include "common/error.hpp"
#include "gpu_test_support.hpp"
#include "low_precision.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

struct LowRankCase {
  const char* name;
  const char* variant;
  std::vector<std::pair<std::string, std::string>> params;
  bool causal;
};

const std::vector<LowRankCase> kCases = {
    {"linformer_gaussian", "linformer", {{"k", "64"}}, false},
    {"linformer_share_ef", "linformer", {{"k", "48"}, {"share_ef", "true"}, {"seed", "7"}}, false},
    {"linformer_mean_pool", "linformer", {{"k", "40"}, {"projection", "mean_pool"}}, false},
    {"performer", "performer", {{"features", "128"}}, false},
    {"performer_causal", "performer", {{"features", "128"}}, true},
    {"performer_causal_iid", "performer", {{"features", "96"}, {"orthogonal", "false"}, {"seed", "3"}}, true},
};

AttentionSpec specOf(const LowRankCase& c) {
  AttentionSpec spec = makeSpec(c.variant);
  for (const auto& [name, value] : c.params) spec.params.set(name, value);
  spec.causal = c.causal;
  return spec;
}

Qkv inputs(int64_t n, int64_t d, int64_t dv, int heads) {
  Qkv qkv;
  for (int h = 0; h < heads; ++h) {
    qkv.q.push_back(randomMatrix(n, d, 200 + 10 * h, 0.7));
    qkv.k.push_back(randomMatrix(n, d, 201 + 10 * h, 0.7));
    qkv.v.push_back(randomMatrix(n, dv, 202 + 10 * h));
  }
  return qkv;
}

Backend& cuda() { return BackendRegistry::instance().get("cuda"); }

// A low-precision spec on cuda and the CPU's fp32 run of the same spec; an
// empty pair of results (and *skip set) where cuda refuses it.
std::pair<AttentionResult, AttentionResult> lowPrecisionAndFp32(const AttentionSpec& spec, const Qkv& qkv, std::string* skip) {
  if (!cuda().supports(spec, nullptr, skip)) return {};
  AttentionSpec fp32 = spec;
  fp32.precision = Precision::Fp32;
  return {cuda().run(spec, qkv, RunOptions{}), BackendRegistry::instance().get("cpu").run(fp32, qkv, RunOptions{})};
}

int deviceComputeCapabilityOrZero() {
  if (!noDeviceReason().empty()) return 0;
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return 0;
  return prop.major * 10 + prop.minor;
}

// FAVOR+ written out in double from the same feature matrix, with Q, K, V
// and W' rounded by `round` first: the naive same-precision reference.
// phi(x) = exp(W' x - |x|^2 / (2 sqrt d)) (constants cancel in the ratio);
// O_i = sum_j<=i (or all j) phi(q_i).phi(k_j) v_j / sum_j phi(q_i).phi(k_j).
Mat naivePerformer(const Mat& q, const Mat& k, const Mat& v, const Mat& w, bool causal, float (*round)(float)) {
  const auto rounded = [round](const Mat& m) {
    MatD out = m.cast<double>();
    for (Eigen::Index i = 0; i < out.size(); ++i) out.data()[i] = round(static_cast<float>(out.data()[i]));
    return out;
  };
  const MatD qd = rounded(q), kd = rounded(k), vd = rounded(v), wd = rounded(w);
  const double half = 0.5 / std::sqrt(static_cast<double>(q.cols()));
  // Stabilised as the kernels do (each query row by its own max, the keys
  // by one shift for the head); either constant cancels in the ratio.
  const auto features = [&](const MatD& x, bool perRow) {
    MatD l = x * wd.transpose();
    for (Eigen::Index i = 0; i < l.rows(); ++i) l.row(i).array() -= half * x.row(i).squaredNorm();
    if (perRow)
      for (Eigen::Index i = 0; i < l.rows(); ++i) l.row(i).array() -= l.row(i).maxCoeff();
    else
      l.array() -= l.maxCoeff();
    return MatD(l.array().exp().matrix());
  };
  const MatD pq = features(qd, true), pk = features(kd, false);
  const MatD s = pq * pk.transpose();
  Mat out(q.rows(), v.cols());
  for (Eigen::Index i = 0; i < q.rows(); ++i) {
    const Eigen::Index last = causal ? i + 1 : k.rows();
    const double den = s.row(i).head(last).sum();
    out.row(i) = ((s.row(i).head(last) * vd.topRows(last)) / den).cast<float>();
  }
  return out;
}

}  // namespace

class TestCudaLowRank : public QObject {
  Q_OBJECT

 private slots:
  void listsBothVariants() {
    const std::vector<std::string> ids = cuda().kernelVariants();
    QVERIFY(std::find(ids.begin(), ids.end(), "linformer") != ids.end());
    QVERIFY(std::find(ids.begin(), ids.end(), "performer") != ids.end());
  }

  // The table's refusals, with their reasons (no device needed).
  void refusesWithAReason() {
    const Shape d48{100, 48, 48, 2, false, 1}, dvOther{100, 64, 32, 2, false, 1}, ok{100, 64, 64, 2, false, 1};
    std::string why;
    AttentionSpec lin = makeSpec("linformer");
    QVERIFY(cuda().supports(lin, &ok, &why));
    QVERIFY(!cuda().supports(lin, &d48, &why));
    QVERIFY2(why.find("d = 48") != std::string::npos, why.c_str());
    QVERIFY(!cuda().supports(lin, &dvOther, &why));
    QVERIFY2(why.find("dv = d") != std::string::npos, why.c_str());
    lin.causal = true;
    QVERIFY(!cuda().supports(lin, nullptr, &why));
    QVERIFY2(why.find("causal") != std::string::npos, why.c_str());

    AttentionSpec perf = makeSpec("performer");
    QVERIFY(cuda().supports(perf, &d48, &why));  // any head width: cuBLAS does the products
    perf.precision = Precision::Fp16;  // tensor cores from compute capability 8.0; no device here says nothing against it
    if (deviceComputeCapabilityOrZero() == 0 || deviceComputeCapabilityOrZero() >= 80) QVERIFY2(cuda().supports(perf, &ok, &why), why.c_str());
  }

  void matchesCpu_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    for (size_t i = 0; i < kCases.size(); ++i)
      for (int n : {100, 257, 1000})
        for (int d : {32, 64}) QTest::addRow("%s_n%d_d%d", kCases[i].name, n, d) << static_cast<int>(i) << n << d;
  }
  void matchesCpu() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    QFETCH(int, index);
    QFETCH(int, n);
    QFETCH(int, d);
    const LowRankCase& c = kCases[static_cast<size_t>(index)];
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputs(n, d, d, 2);
    const AttentionResult gpu = cuda().run(spec, qkv, RunOptions{});
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    QCOMPARE(gpu.output.size(), size_t{2});
    for (int h = 0; h < 2; ++h) {
      const double err = relativeMaxError(gpu.output[static_cast<size_t>(h)], cpu.output[static_cast<size_t>(h)]);
      QVERIFY2(std::isfinite(err), qPrintable(QString("head %1: non-finite output").arg(h)));
      QVERIFY2(err < 1e-4, qPrintable(QString("head %1: fp32 error %2").arg(h).arg(err)));
    }
    // A timed run with kernel spans (CUPTI records, or one cudaEvent span per phase).
    QVERIFY(gpu.elapsedMs > 0);
    int kernels = 0;
    for (const Span& s : gpu.trace.spans) kernels += s.category == SpanCategory::Kernel ? 1 : 0;
    QVERIFY(kernels >= 2);
  }

  // performer at a width the flash kernel lacks, with dv != d.
  void performerOddWidths() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    for (bool causal : {false, true}) {
      AttentionSpec spec = makeSpec("performer");
      spec.causal = causal;
      const Qkv qkv = inputs(77, 24, 40, 3);
      const AttentionResult gpu = cuda().run(spec, qkv, RunOptions{});
      const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
      for (int h = 0; h < 3; ++h)
        QVERIFY2(relativeMaxError(gpu.output[static_cast<size_t>(h)], cpu.output[static_cast<size_t>(h)]) < 1e-4,
                 qPrintable(QString("%1 head %2").arg(causal ? "causal" : "full").arg(h)));
    }
  }

  // The naive reference itself, unrounded, is the CPU's performer (no device needed).
  void naivePerformerIsTheCpus() {
    for (bool causal : {false, true}) {
      AttentionSpec spec = makeSpec("performer");
      spec.params.set("features", "128");
      spec.causal = causal;
      const Qkv qkv = inputs(257, 64, 64, 1);
      const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
      const Mat naive = naivePerformer(qkv.q[0], qkv.k[0], qkv.v[0], *performerScaledFeatures(spec, 64), causal, [](float x) { return x; });
      const double err = relativeMaxError(naive, cpu.output[0]);
      QVERIFY2(err < 1e-4, qPrintable(QString("%1: %2").arg(causal ? "causal" : "full").arg(err)));
    }
  }

  // fp16 / bf16 performer: no worse than twice the naive same-precision
  // reference (itself checked against the CPU's fp32), both against the CPU.
  void performerLowPrecisionMatchesNaive() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    for (Precision p : {Precision::Fp16, Precision::Bf16})
      for (bool causal : {false, true}) {
        AttentionSpec spec = makeSpec("performer");
        spec.params.set("features", "128");
        spec.precision = p;
        spec.causal = causal;
        const Qkv qkv = inputs(257, 64, 64, 2);
        std::string no;
        const auto [gpu, cpu] = lowPrecisionAndFp32(spec, qkv, &no);
        if (!no.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + no)));
        const Mat& w = *performerScaledFeatures(spec, 64);
        for (int h = 0; h < 2; ++h) {
          const size_t hh = static_cast<size_t>(h);
          const Mat naive = naivePerformer(qkv.q[hh], qkv.k[hh], qkv.v[hh], w, causal, p == Precision::Bf16 ? &kernels::roundToBf16 : &kernels::roundToHalf);
          const double naiveErr = relativeMaxError(naive, cpu.output[hh]);
          const double err = relativeMaxError(gpu.output[hh], cpu.output[hh]);
          const QString what = QString("%1%2 head %3: error %4, naive same-precision %5").arg(precisionName(p)).arg(causal ? " causal" : "").arg(h).arg(err).arg(naiveErr);
          qInfo("%s", qPrintable(what));
          QVERIFY2(naiveErr < 0.05, qPrintable(what));
          QVERIFY2(err <= 2.0 * naiveErr + 1e-6, qPrintable(what));
        }
      }
  }

  // fp16 / bf16 linformer: the flash kernel's low-precision path on the projected keys.
  void linformerLowPrecisionRuns() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    for (Precision p : {Precision::Fp16, Precision::Bf16}) {
      AttentionSpec spec = makeSpec("linformer");
      spec.precision = p;
      const Qkv qkv = inputs(300, 64, 64, 2);
      std::string no;
      const auto [gpu, cpu] = lowPrecisionAndFp32(spec, qkv, &no);
      if (!no.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + no)));
      // A loose sanity bound (bf16 keeps 8 mantissa bits); the backends suite holds the tight one.
      for (int h = 0; h < 2; ++h)
        QVERIFY2(relativeMaxError(gpu.output[static_cast<size_t>(h)], cpu.output[static_cast<size_t>(h)]) < 5e-2,
                 qPrintable(QString("%1 head %2").arg(precisionName(p)).arg(h)));
    }
  }

  // The analysis on the GPU: each case's map (whole, exact; then a pooled
  // zoom whose cells straddle tiles) from the factored operator's map kernel
  // equals the CPU's, and the result says where A was formed.
  void analysisMapOnTheGpu() {
    const std::string why = noDeviceReason();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    const Qkv qkv = inputs(301, 32, 32, 2);
    for (const LowRankCase& c : kCases) {
      for (const MapRequest& map : {MapRequest{1, 0, -1, 0, -1, 1024}, MapRequest{1, 40, 290, 7, 301, 23}}) {
        AnalysisRequest request;
        request.head = 1;
        request.map = map;
        const AnalysisResult cpu = analyzeHead(specOf(c), qkv, nullptr, request);
        request.backend = "cuda";
        const AnalysisResult gpu = analyzeHead(specOf(c), qkv, nullptr, request);
        QVERIFY2(gpu.computedOn.rfind("cuda map", 0) == 0, gpu.computedOn.c_str());
        const double sumDiff = (gpu.map->sum - cpu.map->sum).cwiseAbs().maxCoeff(), maxDiff = (gpu.map->max - cpu.map->max).cwiseAbs().maxCoeff();
        const QString what = QString("%1 at %2 cells: sum %3, max %4").arg(c.name).arg(cpu.map->rows).arg(sumDiff).arg(maxDiff);
        QVERIFY2(sumDiff <= 1e-5 * std::max(1.0f, cpu.map->sum.cwiseAbs().maxCoeff()) && maxDiff <= 1e-5, qPrintable(what));
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestCudaLowRank)
#include "test_cuda_lowrank.moc"
