// attnscope-cli end to end: info, run with every output, --qkv round trips,
// and bad input that must fail with one clear line.
#include <QtTest>

#include "cli_runner.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "naive_reference.hpp"
#include "sequence/npy.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {
using Outcome = attnscope::testing::CliOutcome;
inline Outcome cli(const QStringList& args) { return attnscope::testing::runCli(args); }
}  // namespace

class TestCli : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  QString path(const QString& name) const { return dir_.filePath(name); }

 private slots:
  void infoListsBackendsAndVariants() {
    const Outcome o = cli({"info"});
    QCOMPARE(o.code, 0);
    QVERIFY(o.out.contains("cpu    built, available"));
    QVERIFY2(o.out.contains("cuda"), "info must say whether cuda is built");
    QVERIFY(o.out.contains("dense"));
    QVERIFY(o.out.contains("O(n^2 d)"));
    QVERIFY(o.out.contains("document"));
  }

  void runWritesEveryOutput() {
    const Outcome o = cli({"run", "--variant", "dense", "--n", "300", "--heads", "2", "--d", "16", "--repeats", "3", "--out-json", path("r.json"),
                           "--out-output", path("o.npy"), "--out-map", path("m.npy")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QFile f(path("r.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(j["spec"].toObject()["variant"].toString(), QString("dense"));
    QCOMPARE(j["spec"].toObject()["n"].toInt(), 300);
    const QJsonObject t = j["time_ms"].toObject();
    QCOMPARE(t["samples"].toArray().size(), 3);
    QVERIFY(t["min"].toDouble() <= t["median"].toDouble() && t["median"].toDouble() <= t["max"].toDouble());
    QVERIFY(t["median"].toDouble() > 0);
    QVERIFY(j["peak_workspace_bytes"].toDouble() > 0);
    QCOMPARE(j["flops"].toDouble(), 300.0 * 300.0 * 2 * (16 + 16) * 2);
    QVERIFY(j["gflops_per_s"].toDouble() > 0);

    const NpyArray out = readNpy(path("o.npy").toStdString());
    QCOMPARE(out.shape, (std::vector<int64_t>{2, 300, 16}));
    const NpyArray map = readNpy(path("m.npy").toStdString());
    QCOMPARE(map.shape, (std::vector<int64_t>{300, 300}));
    // Rows of A sum to one.
    for (int i = 0; i < 300; i += 37) {
      double sum = 0;
      for (int j2 = 0; j2 < 300; ++j2) sum += map.data[static_cast<size_t>(i * 300 + j2)];
      QVERIFY(std::abs(sum - 1.0) < 1e-4);
    }
  }

  void qkvRoundTripMatchesReference() {
    // [3, H, n, d] in, O out, checked against the naive reference.
    const int heads = 2, n = 77, d = 8;
    std::vector<float> data;
    std::vector<Mat> parts;
    for (int role = 0; role < 3; ++role)
      for (int h = 0; h < heads; ++h) {
        parts.push_back(randomMatrix(n, d, 100 + role * 10 + h));
        data.insert(data.end(), parts.back().data(), parts.back().data() + n * d);
      }
    writeNpy(path("qkv.npy").toStdString(), data.data(), {3, heads, n, d});
    const Outcome o = cli({"run", "--variant", "dense", "--qkv", path("qkv.npy"), "--causal", "--repeats", "1", "--out-output", path("qo.npy"),
                           "--out-map", path("qm.npy")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const NpyArray out = readNpy(path("qo.npy").toStdString());
    QCOMPARE(out.shape, (std::vector<int64_t>{heads, n, d}));
    for (int h = 0; h < heads; ++h) {
      const Mat expected = naiveAttention(parts[h], parts[heads + h], parts[2 * heads + h], causalMask());
      const Mat got = ConstMatMap(out.data.data() + h * n * d, n, d);
      QVERIFY2(relativeMaxError(got, expected) < 1e-5, qPrintable(QString("head %1 error %2").arg(h).arg(relativeMaxError(got, expected))));
    }
    const NpyArray map = readNpy(path("qm.npy").toStdString());
    const MatD a = naiveAttentionMatrix(parts[0], parts[heads], causalMask());
    QVERIFY((ConstMatMap(map.data.data(), n, n).cast<double>() - a).cwiseAbs().maxCoeff() < 1e-6);
  }

  void badArgumentsFailWithOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::addRow("unknown variant") << QStringList{"run", "--variant", "nope"} << "unknown variant 'nope'";
    QTest::addRow("missing variant") << QStringList{"run", "--n", "8"} << "--variant is required";
    QTest::addRow("missing file") << QStringList{"run", "--variant", "dense", "--input", "/no/such/file.txt"} << "/no/such/file.txt: cannot open";
    QTest::addRow("missing qkv") << QStringList{"run", "--variant", "dense", "--qkv", "/no/such.npy"} << "/no/such.npy";
    QTest::addRow("n zero") << QStringList{"run", "--variant", "dense", "--n", "0"} << "--n: 0 is out of range";
    QTest::addRow("n text") << QStringList{"run", "--variant", "dense", "--n", "many"} << "--n: 'many' is not an integer";
    QTest::addRow("malformed param") << QStringList{"run", "--variant", "dense", "--param", "oops"} << "--param";
    QTest::addRow("unknown param") << QStringList{"run", "--variant", "dense", "--param", "window=3"} << "unknown parameter 'window'";
    QTest::addRow("unknown flag") << QStringList{"run", "--variant", "dense", "--colour", "red"} << "unknown flag --colour";
    QTest::addRow("missing value") << QStringList{"run", "--variant"} << "--variant: missing value";
    QTest::addRow("unknown command") << QStringList{"fly"} << "unknown command 'fly'";
    QTest::addRow("map size zero") << QStringList{"run", "--variant", "dense", "--n", "64", "--out-map", "/tmp/x.npy", "--map-size", "0"} << "--map-size";
    QTest::addRow("unknown backend") << QStringList{"run", "--variant", "dense", "--n", "8", "--backend", "tpu"} << "unknown backend 'tpu'";
    QTest::addRow("two inputs") << QStringList{"run", "--variant", "dense", "--sample", "document", "--qkv", "x.npy"} << "only one of";
    QTest::addRow("absurd heads") << QStringList{"run", "--variant", "dense", "--heads", "100000"} << "--heads";
  }
  void badArgumentsFailWithOneLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Outcome o = cli(args);
    QVERIFY2(o.code == 1 || o.code == 2, qPrintable(QString("exit %1").arg(o.code)));
    QVERIFY2(o.err.contains(expected), qPrintable(o.err));
    QCOMPARE(o.err.trimmed().count('\n'), 0);
    QVERIFY(o.err.startsWith("attnscope-cli: error: "));
  }

  void hostileQkvFilesAreRefused() {
    QFile junk(path("junk.npy"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("\x93NUMPY\x01\x00\xff\x7f{'descr': '<f4'");  // header length past the end
    junk.close();
    const Outcome o = cli({"run", "--variant", "dense", "--qkv", path("junk.npy")});
    QCOMPARE(o.code, 1);
    QVERIFY2(o.err.contains("junk.npy") && o.err.contains("byte"), qPrintable(o.err));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
