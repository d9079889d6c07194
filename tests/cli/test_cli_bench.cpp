// attnscope-cli bench end to end on the quick preset: output and JSON parse,
// with every field present (no timing asserted); bad flags name the flag.
#include <QtTest>

#include "cli_runner.hpp"

#include <QFile>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

namespace {
using Outcome = attnscope::testing::CliOutcome;
inline Outcome cli(const QStringList& args) { return attnscope::testing::runCli(args); }
inline nlohmann::json readJson(const QString& path) { return attnscope::testing::readJsonFile(path); }
}  // namespace

class TestCliBench : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.filePath(name); }

 private slots:
  void quickRunsEveryVariant() {
    const Outcome o = cli({"bench", "--quick", "--out-json", path("b.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY(o.out.contains("roof: GEMM") && o.out.contains("triad"));
    QVERIFY(o.out.contains("backend: cpu, precision fp32"));
    QVERIFY(o.out.contains("GB/s"));
    QVERIFY(o.out.contains("time exponents"));
    const nlohmann::json j = readJson(path("b.json"));
    QVERIFY(j.is_object());
    for (const char* key : {"cpu_model", "cores", "workers", "cpu_isa", "kernel_isa", "eigen_isa", "gemm_path"}) QVERIFY2(j["machine"].contains(key), key);
    QVERIFY(j["machine"]["cores"].get<int>() >= 1);
    for (const char* key : {"gemm_path", "sgemm_gflops", "sgemm_median_gflops", "gemm_size", "triad_gb_per_s", "triad_median_gb_per_s", "triad_bytes"})
      QVERIFY2(j["roof"].contains(key), key);
    QVERIFY(j["roof"]["sgemm_gflops"].get<double>() > 0);
    QVERIFY(j["roof"]["triad_gb_per_s"].get<double>() > 0);
    QVERIFY(j["roof_after"]["sgemm_gflops"].get<double>() > 0);
    QVERIFY(j["load_average"].contains("before") && j["load_average"].contains("after"));
    QVERIFY(o.out.contains("roof again at the end"));
    for (const char* key : {"backend", "precision", "lengths", "dims", "heads", "repeats", "run_budget_seconds", "input", "params"})
      QVERIFY2(j["preset"].contains(key), key);
    QCOMPARE(j["preset"]["backend"].get<std::string>(), std::string("cpu"));
    const size_t variants = j["variants"].size();
    QVERIFY(variants >= 6);
    QCOMPARE(j["variants"][0].get<std::string>(), std::string("dense"));
    QCOMPARE(j["points"].size(), variants * j["preset"]["lengths"].size() * j["preset"]["dims"].size());
    int done = 0;
    for (const auto& p : j["points"]) {
      for (const char* key : {"variant", "n", "d", "heads", "status", "note", "pairs", "flops", "bytes", "relative_to_dense"}) QVERIFY2(p.contains(key), key);
      if (p["status"] == "done") {
        ++done;
        for (const char* key : {"median_ms", "min_ms", "max_ms", "samples", "gflops", "roof_ratio", "gb_per_s", "triad_ratio", "workspace_ratio"})
          QVERIFY2(p.contains(key), key);
        // The tracked workspace stays within the cost model's prediction (+5%).
        QVERIFY2(p["workspace_ratio"].get<double>() <= 1.05, qPrintable(QString::fromStdString(p["variant"].get<std::string>())));
        QVERIFY(p["median_ms"].get<double>() > 0);
        QVERIFY(p["relative_to_dense"].is_number());
      }
      // Every point's line is printed.
      QVERIFY(o.out.contains(QString::fromStdString(p["variant"].get<std::string>())));
    }
    QVERIFY(done >= 1);
    QCOMPARE(j["exponents"].size(), variants * j["preset"]["dims"].size());
    for (const auto& e : j["exponents"])
      for (const char* key : {"variant", "d", "time_exponent", "r2", "points"}) QVERIFY2(e.contains(key), key);
  }

  void guardRefusalsAreSkippedPoints() {
    const Outcome o = cli({"bench", "--quick", "--variants", "dense,performer", "--memory-budget", "1K", "--out-json", path("g.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY(o.out.contains("skipped: memory guard"));
    const nlohmann::json j = readJson(path("g.json"));
    for (const auto& p : j["points"]) {
      QCOMPARE(p["status"].get<std::string>(), std::string("skipped"));
      QVERIFY(p["note"].get<std::string>().find("memory guard") != std::string::npos);
    }
  }

  void selectedVariantsAndLengths() {
    const Outcome o = cli({"bench", "--quick", "--variants", "linformer,sliding_window", "--lengths", "64,96", "--d", "8", "--out-json", path("s.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const nlohmann::json j = readJson(path("s.json"));
    QCOMPARE(j["variants"].size(), size_t{2});
    QCOMPARE(j["points"].size(), size_t{4});
    QCOMPARE(j["points"][0]["n"].get<int>(), 64);
    QCOMPARE(j["points"][0]["d"].get<int>(), 8);
    QVERIFY(j["points"][0]["relative_to_dense"].is_null());  // dense not selected
  }

  void helpListsTheFlags() {
    const Outcome o = cli({"bench", "--help"});
    QCOMPARE(o.code, 0);
    for (const char* flag : {"--quick", "--backend", "--precision", "--variants", "--lengths", "--d", "--budget", "--memory-budget", "--out-json"}) QVERIFY2(o.out.contains(flag), flag);
  }

  void anUnavailableBackendIsRefusedBeforeMeasuring() {
    // Where the CUDA backend is built but finds no device, bench says so and measures nothing.
    const Outcome info = cli({"info"});
    if (!info.out.contains("cuda   built, unavailable")) QSKIP("the cuda backend is not built, or a device is present");
    const Outcome o = cli({"bench", "--quick", "--backend", "cuda"});
    QVERIFY(o.code != 0);
    QVERIFY2(o.err.contains("cuda") && o.err.contains("unavailable"), qPrintable(o.err));
    QVERIFY2(!o.out.contains("roof:"), qPrintable(o.out));
  }

  void badFlagsNameTheFlag() {
    struct Case {
      QStringList args;
      const char* mention;
    };
    const QList<Case> cases{{{"--frobnicate"}, "--frobnicate"},
                            {{"--variants", "nope"}, "--variants"},
                            {{"--lengths", "0"}, "--lengths"},
                            {{"--lengths", "abc"}, "--lengths"},
                            {{"--d", "0"}, "--d"},
                            {{"--budget", "-1"}, "--budget"},
                            {{"--memory-budget", "lots"}, "--memory-budget"},
                            {{"--out-json"}, "--out-json"},
                            {{"--backend", "tpu"}, "--backend"},
                            {{"--precision", "fp8"}, "--precision"},
                            {{"--out-json", "/nonexistent-dir/x.json"}, "--out-json"}};
    for (const Case& c : cases) {
      const Outcome o = cli(QStringList{"bench", "--quick"} + c.args);
      QVERIFY2(o.code == 2, qPrintable(c.args.join(' ') + ": exit " + QString::number(o.code)));
      QVERIFY2(o.err.contains(c.mention), qPrintable(c.args.join(' ') + ": " + o.err));
      QVERIFY2(o.out.isEmpty(), qPrintable(c.args.join(' ') + ": started measuring"));
    }
  }
};

QTEST_APPLESS_MAIN(TestCliBench)
#include "test_cli_bench.moc"
