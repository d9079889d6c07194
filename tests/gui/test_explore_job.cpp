// What the explorer computes for a spec, without a window: the mask is the
// variant's layout drawn at display resolution, the pair count is exact, the
// preview is the analysis's own map of the first tokens, and a spec the
// variant refuses comes back as a readable error, never a crash.
#include <QtTest>

#include "analysis/layout_raster.hpp"
#include "attention/registry.hpp"
#include "explore_job.hpp"
#include "job_runner.hpp"
#include <random>

using namespace attnscope;

namespace {

std::shared_ptr<const PreparedInput> smallInput(int64_t n) {
  auto input = std::make_shared<PreparedInput>();
  std::mt19937 rng(3);
  std::normal_distribution<float> g;
  for (Mat* m : {&input->qkv.q.emplace_back(n, 16), &input->qkv.k.emplace_back(n, 16), &input->qkv.v.emplace_back(n, 16)})
    for (int64_t i = 0; i < m->size(); ++i) m->data()[i] = g(rng);
  for (int64_t i = 0; i < n; ++i) input->labels.push_back("t" + std::to_string(i));
  return input;
}

AttentionSpec spec(const std::string& variant, std::vector<std::string> params = {}, bool causal = false) {
  AttentionSpec s = makeSpec(variant);
  for (const std::string& p : params) s.params.assign(p);
  s.causal = causal;
  return s;
}

}  // namespace

class TestExploreJob : public QObject {
  Q_OBJECT

 private slots:
  void maskIsTheLayoutDrawn() {
    ExploreRequest request;
    request.input = smallInput(300);
    request.spec = spec("sliding_window", {"window=10"}, true);
    request.maskCells = 100;
    const ExploreResult r = exploreSpec(request);
    QVERIFY2(r.error.empty(), r.error.c_str());
    QVERIFY(r.mask.has_value());
    const Variant& v = VariantRegistry::instance().get("sliding_window");
    const HeadInput in{request.input->qkv.q[0], request.input->qkv.k[0], request.input->qkv.v[0], nullptr, 0};
    const BlockLayout layout = *v.layout(request.spec, Shape{300, 16, 16, 1, true, 1}, &in);
    const LayoutRaster expected = rasterizeLayout(layout, 100);
    QCOMPARE(r.mask->fraction, expected.fraction);
    // Exact pairs: row i sees min(i, 10) + 1 keys.
    double pairs = 0;
    for (int i = 0; i < 300; ++i) pairs += std::min(i, 10) + 1;
    QCOMPARE(r.pairs.computed, pairs);
    QCOMPARE(r.pairs.source, std::string("layout"));
    QVERIFY(r.cost.flops < r.denseCost.flops);
    QCOMPARE(r.complexity, v.info().complexity);
  }

  void previewIsTheAnalysisMap() {
    ExploreRequest request;
    request.input = smallInput(200);
    request.spec = spec("dense");
    request.previewTokens = 200;
    const ExploreResult r = exploreSpec(request);
    QVERIFY(r.preview.has_value());
    QCOMPARE(r.preview->rows, int64_t(200));
    QVERIFY(r.preview->exact());
    // The whole map: each row of A sums to 1.
    for (int64_t i = 0; i < 200; i += 37) QVERIFY(std::abs(r.preview->sum.row(i).sum() - 1.0f) < 1e-4f);
    // Over the first tokens of a longer input, rows hold part of their mass.
    request.previewTokens = 64;
    const ExploreResult part = exploreSpec(request);
    QCOMPARE(part.preview->rows, int64_t(64));
    QCOMPARE(part.preview->sum(10, 5), r.preview->sum(10, 5));
  }

  void variantsWithoutMaskSayWhy() {
    ExploreRequest request;
    request.input = smallInput(128);
    request.spec = spec("performer", {"features=32"});
    const ExploreResult r = exploreSpec(request);
    QVERIFY2(r.error.empty(), r.error.c_str());
    QVERIFY(!r.mask.has_value());
    QCOMPARE(r.family, std::string("low-rank"));
    QVERIFY(r.preview.has_value());
    QCOMPARE(r.pairs.source, std::string("cost_model"));
  }

  void refusedSpecsComeBackAsErrors() {
    ExploreRequest request;
    request.input = smallInput(64);
    request.spec = spec("linformer", {}, true);  // no causal form
    ExploreResult r = exploreSpec(request);
    QVERIFY(!r.error.empty());
    QVERIFY2(QString::fromStdString(r.error).contains("causal"), r.error.c_str());
    QVERIFY(!r.mask && !r.preview);
    request.spec = spec("longformer", {"global_indices=500"});  // past n
    r = exploreSpec(request);
    QVERIFY2(QString::fromStdString(r.error).contains("global_indices"), r.error.c_str());
  }

  // Without an input yet, the mask follows from n alone and there is no preview.
  void maskWithoutInput() {
    ExploreRequest request;
    request.n = 1000;
    request.d = 8;
    request.spec = spec("local_block", {"block=100"});
    const ExploreResult r = exploreSpec(request);
    QVERIFY2(r.error.empty(), r.error.c_str());
    QVERIFY(r.mask.has_value());
    QCOMPARE(r.n, int64_t(1000));
    QVERIFY(!r.preview.has_value());
    QCOMPARE(r.pairs.computed, 1000.0 * 100.0);
  }

  // Every registered variant explores with its defaults, causal where it can:
  // figures without an error, a mask exactly where the variant has a layout.
  void everyVariantExplores() {
    const auto input = smallInput(256);
    for (const Variant* v : VariantRegistry::instance().all())
      for (bool causal : {false, true}) {
        if (causal && !v->info().supportsCausal) continue;
        ExploreRequest request;
        request.input = input;
        request.spec = spec(v->info().id, {}, causal);
        request.previewTokens = 64;
        const ExploreResult r = exploreSpec(request);
        const QString name = QString::fromStdString(v->info().id) + (causal ? " causal" : "");
        QVERIFY2(r.error.empty(), qPrintable(name + ": " + QString::fromStdString(r.error)));
        const HeadInput in{input->qkv.q[0], input->qkv.k[0], input->qkv.v[0], nullptr, 0};
        const bool hasLayout = v->layout(request.spec, Shape{256, 16, 16, 1, causal, 1}, &in).has_value();
        QVERIFY2(r.mask.has_value() == hasLayout, qPrintable(name));
        QVERIFY2(r.preview.has_value() && r.preview->rows == 64, qPrintable(name));
        QVERIFY2(r.pairs.computed > 0 && r.pairs.computed <= 256.0 * 256.0, qPrintable(name));
      }
  }

  void cancelStops() {
    ExploreRequest request;
    request.input = smallInput(512);
    request.spec = spec("dense");
    CancelToken token;
    token.cancel();
    QVERIFY_THROWS_EXCEPTION(Error, exploreSpec(request, &token));
  }
};

QTEST_MAIN(TestExploreJob)
#include "test_explore_job.moc"
