// The bench engine's arithmetic on known numbers (rates, ratios, relation to
// dense, exponents), the roof's two kernels against plain loops, and the
// JSON's fields. No timing is asserted.
#include <QtTest>

#include <cmath>

#include "backend/cpu/thread_pool.hpp"
#include "common/types.hpp"
#include "experiment/bench.hpp"

using namespace attnscope;

namespace {

BenchPoint donePoint(const std::string& variant, int64_t n, int d, double ms) {
  BenchPoint p;
  p.variant = variant;
  p.n = n;
  p.d = d;
  p.heads = 8;
  p.done = true;
  p.medianMs = ms;
  return p;
}

}  // namespace

class TestBenchEngine : public QObject {
  Q_OBJECT

 private slots:
  void ratesAndRatios() {
    QCOMPARE(gflopsOf(2e9, 1000.0), 2.0);
    QCOMPARE(gbPerSOf(3e9, 500.0), 6.0);
    QCOMPARE(gflopsOf(1e9, 0.0), 0.0);  // no time measured: no rate
    QCOMPARE(ratioTo(50.0, 200.0), 0.25);
    QCOMPARE(ratioTo(1.0, 0.0), 0.0);  // unknown roof
    BenchPoint p = donePoint("dense", 1024, 64, 2.0);
    p.flops = 4e9;
    p.bytes = 2e9;
    RoofResult roof;
    roof.sgemmGflops = 4000;
    roof.triadGBs = 500;
    deriveRates(p, roof);
    QCOMPARE(p.gflops, 2000.0);
    QCOMPARE(p.gbPerS, 1000.0);
    QCOMPARE(p.roofRatio, 0.5);
    QCOMPARE(p.triadRatio, 2.0);
  }

  void relativeToDenseAtTheSameShape() {
    std::vector<BenchPoint> points{donePoint("dense", 1024, 64, 10.0), donePoint("linformer", 1024, 64, 2.5), donePoint("linformer", 1024, 128, 4.0),
                                   donePoint("linformer", 2048, 64, 5.0)};
    BenchPoint skipped = donePoint("dense", 2048, 64, 1.0);
    skipped.done = false;  // a skipped dense point is no reference
    points.push_back(skipped);
    relateToDense(points);
    QCOMPARE(*points[0].relativeToDense, 1.0);
    QCOMPARE(*points[1].relativeToDense, 0.25);
    QVERIFY(!points[2].relativeToDense);  // no dense at d = 128
    QVERIFY(!points[3].relativeToDense);
    QVERIFY(!points[4].relativeToDense);
  }

  void exponentsPerVariantAndWidth() {
    std::vector<BenchPoint> points;
    for (int64_t n : {1024, 2048, 4096, 8192}) {
      points.push_back(donePoint("dense", n, 64, 3e-6 * std::pow(static_cast<double>(n), 2.0)));
      points.push_back(donePoint("performer", n, 64, 0.01 * static_cast<double>(n)));
      points.push_back(donePoint("performer", n, 128, 0.5 * std::pow(static_cast<double>(n), 1.5)));
    }
    BenchPoint skipped = donePoint("performer", 16384, 64, 1e9);  // would bend the line if counted
    skipped.done = false;
    points.push_back(skipped);
    const std::vector<BenchExponent> fits = fitBenchExponents(points);
    QCOMPARE(fits.size(), size_t{3});
    auto find = [&](const std::string& v, int d) {
      for (const BenchExponent& e : fits)
        if (e.variant == v && e.d == d) return e;
      return BenchExponent{};
    };
    QVERIFY(std::abs(find("dense", 64).fit.exponent - 2.0) < 1e-9);
    QVERIFY(std::abs(find("performer", 64).fit.exponent - 1.0) < 1e-9);
    QCOMPARE(find("performer", 64).fit.points, 4);
    QVERIFY(std::abs(find("performer", 128).fit.exponent - 1.5) < 1e-9);
    QVERIFY(std::abs(find("performer", 128).fit.r2 - 1.0) < 1e-9);
  }

  void presets() {
    const BenchPreset full = benchPreset(false);
    QCOMPARE(full.lengths, (std::vector<int64_t>{1024, 2048, 4096, 8192, 16384, 32768, 65536}));
    QCOMPARE(full.dims, (std::vector<int>{64, 128}));
    QCOMPARE(full.heads, 8);
    const BenchPreset quick = benchPreset(true);
    QVERIFY(quick.lengths.back() <= 512);
    QVERIFY(quick.gemmSize < full.gemmSize && quick.triadFloats < full.triadFloats);
  }

  void roofKernelsCompute() {
    ThreadPool& pool = ThreadPool::shared();
    const int64_t s = 70;  // not a multiple of any tile
    const Mat a = Mat::Random(s, s), b = Mat::Random(s, s);
    Mat c(s, s);
    roofSgemm(pool, a.data(), b.data(), c.data(), s);
    const Mat expected = a * b;
    QVERIFY((c - expected).cwiseAbs().maxCoeff() < 1e-3f);
    std::vector<float> x(1001), y(1001), z(1001);
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = static_cast<float>(i);
      z[i] = 2.0f;
    }
    roofTriad(pool, x.data(), y.data(), z.data(), 0.5f, static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) QCOMPARE(x[i], static_cast<float>(i) + 1.0f);
  }

  void jsonFields() {
    BenchResult r;
    r.machine = probeMachine();
    r.preset = benchPreset(true);
    r.variants = {"dense", "performer"};
    r.roof.sgemmGflops = 100;
    r.roof.triadGBs = 10;
    BenchPoint p = donePoint("dense", 128, 16, 1.0);
    p.flops = 1e6;
    deriveRates(p, r.roof);
    p.relativeToDense = 1.0;
    BenchPoint s = donePoint("performer", 128, 16, 0);
    s.done = false;
    s.note = "skipped: memory guard";
    r.points = {p, s};
    r.exponents = fitBenchExponents(r.points);
    const nlohmann::json j = benchToJson(r);
    for (const char* key : {"cpu_model", "cores", "workers", "cpu_isa", "kernel_isa", "gemm_path"}) QVERIFY2(j["machine"].contains(key), key);
    QVERIFY(j["machine"]["cores"].get<int>() >= 1);
    QCOMPARE(j["roof"]["sgemm_gflops"].get<double>(), 100.0);
    QCOMPARE(j["points"].size(), size_t{2});
    QCOMPARE(j["points"][0]["status"].get<std::string>(), std::string("done"));
    QCOMPARE(j["points"][0]["gflops"].get<double>(), 1.0);
    QCOMPARE(j["points"][0]["roof_ratio"].get<double>(), 0.01);
    QCOMPARE(j["points"][1]["status"].get<std::string>(), std::string("skipped"));
    QVERIFY(!j["points"][1].contains("median_ms"));
    QVERIFY(j["points"][1]["relative_to_dense"].is_null());
    QCOMPARE(j["exponents"].size(), size_t{2});
    QVERIFY(j["exponents"][0]["time_exponent"].is_null());  // one point: no fit
  }
};

QTEST_APPLESS_MAIN(TestBenchEngine)
#include "test_bench_engine.moc"
