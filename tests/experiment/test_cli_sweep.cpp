// attnscope-cli sweep end to end on a tiny grid, bad flag values (one clear
// line naming the flag), SIGINT, and run --out-trace.
#include <QtTest>

#include "cli_runner.hpp"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <nlohmann/json.hpp>

namespace {
using Outcome = attnscope::testing::CliOutcome;
inline Outcome cli(const QStringList& args) { return attnscope::testing::runCli(args); }
inline nlohmann::json readJson(const QString& path) { return attnscope::testing::readJsonFile(path); }
}  // namespace

class TestCliSweep : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.filePath(name); }
  const QStringList tiny_{"sweep", "--lengths", "64:256", "--heads", "1", "--d", "16", "--repeats", "1", "--warmup", "0"};

 private slots:
  void sweepWritesCsvJsonAndTable() {
    QStringList args = tiny_;
    args << "--variants" << "dense,sliding_window,performer" << "--param" << "features=16" << "--out-csv" << path("s.csv") << "--out-json"
         << path("s.json");
    const Outcome o = cli(args);
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY(o.out.contains("time exponent"));
    QVERIFY(o.out.contains("O(n^2 d)"));
    QVERIFY(o.out.contains("performer features=16"));
    QFile csv(path("s.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + 3 * 3);
    QVERIFY(lines[0].startsWith("variant,family,params,n,status"));
    const nlohmann::json j = readJson(path("s.json"));
    QCOMPARE(j["points"].size(), size_t{9});
    QCOMPARE(j["series"].size(), size_t{3});
    QCOMPARE(j["cancelled"].get<bool>(), false);
  }

  void plotIsAPng() {
    QStringList args = tiny_;
    args << "--variants" << "dense,sliding_window" << "--no-error" << "--plot" << path("p.png");
    const Outcome o = cli(args);
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QFile png(path("p.png"));
    QVERIFY(png.open(QIODevice::ReadOnly));
    const QByteArray bytes = png.readAll();
    QVERIFY(bytes.startsWith("\x89PNG\r\n\x1a\n"));
    // IHDR width, big-endian, at offset 16.
    const int width = (static_cast<uint8_t>(bytes[16]) << 24) | (static_cast<uint8_t>(bytes[17]) << 16) | (static_cast<uint8_t>(bytes[18]) << 8) |
                      static_cast<uint8_t>(bytes[19]);
    QVERIFY(width >= 600);
  }

  void badFlagsFailWithOneLineNamingTheFlag() {
    const QList<QPair<QStringList, QString>> cases = {
        {{"sweep", "--variants", "dense,nope"}, "--variants"},
        {{"sweep", "--variants", "dense,dense"}, "--variants"},
        {{"sweep", "--variants", "dense", "--lengths", "100:10"}, "--lengths"},
        {{"sweep", "--variants", "dense", "--lengths", "0,64"}, "--lengths"},
        {{"sweep", "--variants", "dense", "--lengths", "64:99999999999"}, "--lengths"},
        {{"sweep", "--variants", "dense", "--param", "window=8"}, "--param"},
        {{"sweep", "--variants", "sliding_window", "--param", "window=-1,8"}, "--param"},
        {{"sweep", "--variants", "dense", "--repeats", "0"}, "--repeats"},
        {{"sweep", "--variants", "dense", "--heads", "100000"}, "--heads"},
        {{"sweep", "--variants", "dense", "--memory-budget", "lots"}, "--memory-budget"},
        {{"sweep", "--variants", "dense", "--bogus"}, "--bogus"},
        {{"sweep", "--lengths", "64"}, "--variants"},
    };
    for (const auto& [args, flag] : cases) {
      const Outcome o = cli(args);
      QVERIFY2(o.code == 2, qPrintable(args.join(' ') + " -> " + QString::number(o.code) + " " + o.err));
      const QString err = o.err.trimmed();
      QVERIFY2(!err.contains('\n'), qPrintable(err));
      QVERIFY2(err.startsWith("attnscope-cli: error:") && err.contains(flag), qPrintable(err));
    }
  }

  void guardSkipsPointsInASweep() {
    const Outcome o = cli({"sweep", "--variants", "dense", "--lengths", "64,1048576", "--heads", "1", "--d", "16", "--repeats", "1", "--warmup", "0",
                           "--memory-budget", "64M", "--no-error", "--out-json", path("g.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY(o.out.contains("skipped: would need"));
    const nlohmann::json j = readJson(path("g.json"));
    QCOMPARE(j["points"][1]["status"].get<std::string>(), std::string("skipped"));
  }

  void interruptStopsAndWritesWhatFinished() {
    QProcess p;
    p.start(ATTNSCOPE_CLI, {"sweep", "--variants", "dense", "--lengths", "256:16777216", "--heads", "1", "--d", "16", "--repeats", "1",
                            "--warmup", "0", "--no-error", "--out-csv", path("c.csv"), "--out-json", path("c.json")});
    QVERIFY(p.waitForStarted());
    // Wait for the first finished point, then interrupt.
    QString out;
    for (int i = 0; i < 200 && !out.contains("n=256"); ++i) {
      p.waitForReadyRead(100);
      out += QString::fromUtf8(p.readAllStandardOutput());
    }
    QVERIFY2(out.contains("n=256"), qPrintable(out));
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    const nlohmann::json j = readJson(path("c.json"));
    QCOMPARE(j["cancelled"].get<bool>(), true);
    QVERIFY(j["points"].size() >= 1);
    QVERIFY(j["points"].size() < j["planned_points"].get<size_t>());
  }

  void runWritesAChromeTrace() {
    const Outcome o = cli({"run", "--variant", "dense", "--n", "256", "--heads", "1", "--d", "16", "--repeats", "2", "--out-trace", path("t.json"),
                           "--out-json", path("r.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const nlohmann::json t = readJson(path("t.json"));
    int repeats = 0, phases = 0;
    for (const auto& e : t["traceEvents"]) {
      if (e["name"] == "repeat 1" || e["name"] == "repeat 2") ++repeats;
      if (e["name"] == "scores/softmax") ++phases;
    }
    QCOMPARE(repeats, 2);
    QVERIFY(phases >= 3);
    const nlohmann::json r = readJson(path("r.json"));
    QVERIFY(r["memory"]["workspace_measured_over_predicted"].is_number());
  }
};

QTEST_MAIN(TestCliSweep)
#include "test_cli_sweep.moc"
