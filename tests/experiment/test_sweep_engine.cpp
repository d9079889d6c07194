// The sweep engine on tiny grids: points, series, parameter axes with the
// error against dense, cancellation, exponent fits and the CSV/JSON schema.
#include <QtTest>

#include <cmath>
#include <sstream>

#include "experiment/exponent_fit.hpp"
#include "experiment/sweep.hpp"
#include "experiment/sweep_export.hpp"

using namespace attnscope;

namespace {
SweepSpec tinySweep() {
  SweepSpec s;
  s.base.features.heads = 1;
  s.base.features.d = 16;
  s.base.warmup = 0;
  s.base.repeats = 1;
  s.variants = {"sliding_window", "dense"};
  s.lengths = {64, 128, 256};
  return s;
}

std::vector<std::string> splitLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}
}  // namespace

class TestSweepEngine : public QObject {
  Q_OBJECT

 private slots:
  void fitRecoversKnownSlopes() {
    std::vector<double> n, quadratic, linear, noisy;
    for (double x = 256; x <= 65536; x *= 2) {
      n.push_back(x);
      quadratic.push_back(3e-6 * x * x);
      linear.push_back(40.0 * x + 0.0);
      noisy.push_back(2.0 * std::pow(x, 1.5) * (n.size() % 2 ? 1.05 : 0.95));
    }
    const ExponentFit q = fitExponent(n, quadratic), l = fitExponent(n, linear), z = fitExponent(n, noisy);
    QVERIFY(q.valid());
    QVERIFY(std::abs(q.exponent - 2.0) < 1e-9);
    QVERIFY(std::abs(q.r2 - 1.0) < 1e-12);
    QVERIFY(std::abs(q.intercept - std::log(3e-6)) < 1e-6);
    QVERIFY(std::abs(l.exponent - 1.0) < 1e-9);
    QVERIFY(std::abs(z.exponent - 1.5) < 0.02);
    QVERIFY(z.r2 < 1.0 && z.r2 > 0.99);
    QCOMPARE(z.points, static_cast<int>(n.size()));
    // Too little data, or non-positive values, give no fit.
    QVERIFY(!fitExponent({1024}, {1.0}).valid());
    QVERIFY(!fitExponent({1024, 1024}, {1.0, 2.0}).valid());
    QCOMPARE(fitExponent({1024, 2048, 4096}, {0.0, -1.0, 4.0}).points, 1);
  }

  void parsesLengthsAndValues() {
    QCOMPARE(parseLengths("512:4096"), (std::vector<int64_t>{512, 1024, 2048, 4096}));
    QCOMPARE(parseLengths("100:400:+100"), (std::vector<int64_t>{100, 200, 300, 400}));
    QCOMPARE(parseLengths("1024:65536:x4"), (std::vector<int64_t>{1024, 4096, 16384, 65536}));
    QCOMPARE(parseLengths("4096,512,512"), (std::vector<int64_t>{512, 4096}));
    QCOMPARE(parseValues("16:128:x2"), (std::vector<std::string>{"16", "32", "64", "128"}));
    QCOMPARE(parseValues("gaussian,mean_pool"), (std::vector<std::string>{"gaussian", "mean_pool"}));
    const ParamAxis a = parseParamAxis("sliding_window.window=8,16");
    QCOMPARE(a.variant, std::string("sliding_window"));
    QCOMPARE(a.name, std::string("window"));
    QCOMPARE(a.values.size(), size_t{2});
    for (const char* bad : {"0:100", "100:10", "1:10:x1", "1:10:y2", "a,b", "1,,2", "-5"}) {
      bool threw = false;
      try {
        parseLengths(bad);
      } catch (const Error& e) {
        threw = e.kind() == ErrorKind::InvalidArgument;
      }
      QVERIFY2(threw, bad);
    }
    QVERIFY_THROWS_EXCEPTION(Error, parseParamAxis("window"));
  }

  void tinyGridRunsEveryPointWithExponents() {
    int progressCalls = 0, lastDone = -1;
    SweepCallbacks cb;
    cb.progress = [&](const SweepProgress& p) {
      ++progressCalls;
      QVERIFY(p.done >= lastDone);
      lastDone = p.done;
      QCOMPARE(p.total, 6);
    };
    const SweepResult r = runSweep(tinySweep(), cb);
    QCOMPARE(r.planned, 6);
    QCOMPARE(r.points.size(), size_t{6});
    QVERIFY(!r.cancelled);
    QCOMPARE(lastDone, 6);
    QVERIFY(progressCalls >= 7);
    // Dense runs first at each length and is its own reference.
    QCOMPARE(r.points[0].variant, std::string("dense"));
    for (const SweepPoint& p : r.points) {
      QCOMPARE(p.status, PointStatus::Done);
      QVERIFY(p.time.medianMs > 0);
      QVERIFY(p.memory.runBytes >= p.memory.tensorBytes);
      QCOMPARE(p.memory.tensorBytes, int64_t{4} * p.n * 64);  // 1 head, Q, K, V, O of width 16
      QVERIFY(p.errorVsDense.has_value());
      if (p.variant == "dense") QCOMPARE(*p.errorVsDense, 0.0);
    }
    QCOMPARE(r.series.size(), size_t{2});
    for (const SweepSeries& s : r.series) {
      QVERIFY(s.time.valid());
      QVERIFY(s.memory.valid());
      QCOMPARE(s.done, 3);
      // Tiny n: the per-worker tile scratch still rivals Q/K/V/O, so only the sign is certain here.
      QVERIFY2(s.memory.exponent > 0.1 && s.memory.exponent < 1.2, qPrintable(QString::number(s.memory.exponent)));
    }
    // The default window (64) covers n = 64 entirely, so the error there is float noise.
    QVERIFY(*r.points[1].errorVsDense < 1e-4);
  }

  void parameterAxisRecordsErrorAgainstDense() {
    SweepSpec s = tinySweep();
    s.variants = {"sliding_window"};
    s.lengths = {256};
    s.params = {parseParamAxis("window=4:64:x4")};
    const SweepResult r = runSweep(s);
    QCOMPARE(r.points.size(), size_t{3});
    std::vector<double> errors;
    for (const SweepPoint& p : r.points) {
      QCOMPARE(p.params.size(), size_t{1});
      QVERIFY(p.errorVsDense.has_value());
      errors.push_back(*p.errorVsDense);
    }
    QCOMPARE(r.points[0].seriesKey(), std::string("sliding_window window=4"));
    // A wider window is closer to dense.
    QVERIFY(errors[0] > errors[1] && errors[1] > errors[2]);
    QVERIFY(errors[0] > 1e-3);
    QCOMPARE(r.series.size(), size_t{3});
  }

  void validationNamesTheProblem() {
    SweepSpec s = tinySweep();
    s.params = {parseParamAxis("features=8")};
    try {
      validateSweep(s);
      QFAIL("a parameter no variant has must be refused");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("features"));
    }
    s.params = {parseParamAxis("window=-3")};
    QVERIFY_THROWS_EXCEPTION(Error, validateSweep(s));
    s.params.clear();
    s.variants = {"dense", "no_such_variant"};
    QVERIFY_THROWS_EXCEPTION(Error, validateSweep(s));
  }

  void cancellingFromProgressKeepsFinishedPoints() {
    CancelToken token;
    SweepCallbacks cb;
    cb.cancel = &token;
    cb.progress = [&](const SweepProgress& p) {
      if (p.done >= 2) token.cancel();
    };
    const SweepResult r = runSweep(tinySweep(), cb);
    QVERIFY(r.cancelled);
    QCOMPARE(r.points.size(), size_t{2});
    QCOMPARE(r.planned, 6);
    QCOMPARE(r.points[0].status, PointStatus::Done);
    // The series are fitted from what finished (one point each: no exponent).
    QCOMPARE(r.series.size(), size_t{2});
    QVERIFY(!r.series[0].time.valid());
    const std::string csv = sweepToCsv(r);
    QCOMPARE(static_cast<int>(std::count(csv.begin(), csv.end(), '\n')), 3);
    QCOMPARE(sweepToJson(r)["cancelled"].get<bool>(), true);
  }

  void csvAndJsonFollowTheSchema() {
    SweepSpec s = tinySweep();
    s.base.memoryBudgetBytes = 1;  // every point is refused by the guard...
    s.lengths = {64};
    s.variants = {"dense"};
    const SweepResult refused = runSweep(s);
    QCOMPARE(refused.points.size(), size_t{1});
    QCOMPARE(refused.points[0].status, PointStatus::Skipped);
    QVERIFY2(QString::fromStdString(refused.points[0].message).startsWith("skipped: would need"), refused.points[0].message.c_str());

    const SweepResult r = runSweep(tinySweep());  // ...and here none is
    const std::string csv = sweepToCsv(r);
    std::istringstream lines(csv);
    std::string header;
    std::getline(lines, header);
    QCOMPARE(header, sweepCsvHeader());
    const std::vector<std::string> columns = splitLine(header);
    QCOMPARE(columns.size(), size_t{19});
    QCOMPARE(columns[3], std::string("n"));
    QCOMPARE(columns[10], std::string("run_bytes"));
    QCOMPARE(columns.back(), std::string("error_vs_dense"));
    std::string line;
    int rows = 0;
    while (std::getline(lines, line)) {
      const auto cells = splitLine(line);
      QCOMPARE(cells.size(), columns.size());
      QCOMPARE(cells[4], std::string("done"));
      QVERIFY(std::stod(cells[6]) > 0);
      ++rows;
    }
    QCOMPARE(rows, 6);

    const nlohmann::json j = sweepToJson(r);
    for (const char* key : {"spec", "points", "series", "planned_points", "finished_points", "cancelled", "wall_seconds", "memory_definition",
                            "flops_convention", "error_definition"})
      QVERIFY2(j.contains(key), key);
    QCOMPARE(j["points"].size(), size_t{6});
    const auto& p = j["points"][0];
    for (const char* key : {"variant", "params", "n", "status", "time_ms", "memory", "predicted", "gflops_per_s", "gb_per_s", "error_vs_dense"})
      QVERIFY2(p.contains(key), key);
    for (const char* key : {"workspace_peak_bytes", "workspace_predicted_bytes", "workspace_measured_over_predicted", "run_bytes", "process_peak_rss_bytes"})
      QVERIFY2(p["memory"].contains(key), key);
    const auto& series = j["series"][0];
    for (const char* key : {"variant", "family", "claimed_time", "claimed_memory", "time_fit", "memory_fit", "error_vs_dense", "use_when", "loses"})
      QVERIFY2(series.contains(key), key);
    QVERIFY(series["time_fit"]["exponent"].is_number());
    QVERIFY(series["time_fit"]["r2"].is_number());

    const std::string table = fieldTable(r);
    QVERIFY(table.find("time exponent") != std::string::npos);
    QVERIFY(table.find("O(n^2 d)") != std::string::npos);
    QVERIFY(table.find("sliding_window") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestSweepEngine)
#include "test_sweep_engine.moc"
