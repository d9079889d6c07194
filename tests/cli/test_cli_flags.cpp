// The shared run flags: every command answers --help with its own flags, a
// file runs at its own length unless --n crops it (with a warning), and flag
// order does not matter (--causal before --variant stays causal).
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "cli_runner.hpp"
#include "sequence/npy.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestCliFlags : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.filePath(name); }

  // A [3, H, n, d] Q/K/V file of small random numbers.
  QString writeQkv(int64_t heads, int64_t n, int64_t d) {
    std::vector<float> data(static_cast<size_t>(3 * heads * n * d));
    uint32_t x = 12345;
    for (float& v : data) {
      x = x * 1664525u + 1013904223u;
      v = static_cast<float>(x >> 8) / 16777216.0f - 0.5f;
    }
    const QString file = path(QString("qkv_%1_%2_%3.npy").arg(heads).arg(n).arg(d));
    writeNpy(file.toStdString(), data.data(), {3, heads, n, d});
    return file;
  }

  QJsonObject readJson(const QString& file) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
  }

 private slots:
  void everyCommandAnswersHelp_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("mustList");
    QTest::addRow("run") << "run" << "--out-json";
    QTest::addRow("run lists analysis flags") << "run" << "--out-map";
    QTest::addRow("run lists loader flags") << "run" << "--kmer";
    QTest::addRow("sweep") << "sweep" << "--lengths";
    QTest::addRow("info") << "info" << "usage: attnscope-cli info";
  }
  void everyCommandAnswersHelp() {
    QFETCH(QString, command);
    QFETCH(QString, mustList);
    const CliOutcome o = runCli({command, "--help"});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(mustList), qPrintable(o.out));
    QVERIFY(!o.err.contains("unknown flag"));
  }

  void infoNamesTheKernelIsa() {
    const CliOutcome o = runCli({"info"});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(QRegularExpression("(avx512|avx2|generic) kernels")), qPrintable(o.out));
  }

  void fileRunsAtItsOwnLength() {
    const QString qkv = writeQkv(3, 1500, 16);  // longer than the sample default of 1024
    const CliOutcome o = runCli({"run", "--variant", "dense", "--qkv", qkv, "--repeats", "1", "--warmup", "0", "--out-json", path("whole.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const QJsonObject j = readJson(path("whole.json"));
    QCOMPARE(j["shape"].toObject()["n"].toInt(), 1500);
    QCOMPARE(j["shape"].toObject()["heads"].toInt(), 3);
    QVERIFY(!o.err.contains("cropped"));
  }

  void explicitNCropsWithAWarning() {
    const QString qkv = writeQkv(2, 700, 8);
    const CliOutcome o = runCli({"run", "--variant", "dense", "--qkv", qkv, "--n", "300", "--repeats", "1", "--warmup", "0", "--out-json", path("crop.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QCOMPARE(readJson(path("crop.json"))["shape"].toObject()["n"].toInt(), 300);
    QVERIFY2(o.err.contains("cropped to the first 300 of 700"), qPrintable(o.err));
  }

  void causalBeforeVariantStaysCausal() {
    const CliOutcome o = runCli({"run", "--causal", "--variant", "sliding_window", "--param", "window=8", "--n", "128", "--heads", "1", "--d", "8",
                                 "--repeats", "1", "--warmup", "0", "--out-json", path("causal.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QCOMPARE(readJson(path("causal.json"))["spec"].toObject()["causal"].toBool(), true);
  }

  void limitsAreShared() {
    // Heads beyond the shared limit fail with the range, for run and sweep alike.
    const CliOutcome run = runCli({"run", "--variant", "dense", "--heads", "257"});
    QCOMPARE(run.code, 2);
    QVERIFY2(run.err.contains("--heads: 257 is out of range [1, 256]"), qPrintable(run.err));
    const CliOutcome sweep = runCli({"sweep", "--variants", "dense", "--heads", "257"});
    QCOMPARE(sweep.code, 2);
    QVERIFY2(sweep.err.contains("--heads: 257 is out of range [1, 256]"), qPrintable(sweep.err));
  }
};

QTEST_GUILESS_MAIN(TestCliFlags)
#include "test_cli_flags.moc"
