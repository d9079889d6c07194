// attnscope-cli run with the analysis flags: maps exact and pooled, regions,
// PNGs, masks, spectra, memory, metrics in the JSON, and one clear line for
// every bad value.
#include <QtTest>

#include "cli_runner.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "sequence/npy.hpp"

using namespace attnscope;

namespace {

using Outcome = attnscope::testing::CliOutcome;
inline Outcome cli(const QStringList& args) { return attnscope::testing::runCli(args); }

QJsonObject analysisOf(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object()["analysis"].toObject();
}

// Width and height from a PNG's IHDR chunk.
QSize pngSize(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  const QByteArray h = f.read(24);
  if (h.size() < 24 || !h.startsWith("\x89PNG")) return {};
  auto be = [&](int at) { return (uchar(h[at]) << 24) | (uchar(h[at + 1]) << 16) | (uchar(h[at + 2]) << 8) | uchar(h[at + 3]); };
  return QSize(be(16), be(20));
}

}  // namespace

class TestCliAnalysis : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.filePath(name); }
  const QStringList small_{"run", "--heads", "2", "--d", "16", "--repeats", "1", "--warmup", "0"};

 private slots:
  void exactMapAndMetricsByDefault() {
    const Outcome o = cli(small_ + QStringList{"--variant", "sliding_window", "--n", "300", "--param", "window=8", "--out-map", path("a.npy"),
                                                "--out-json", path("a.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QVERIFY(o.out.contains("analysis (head 0, on cpu)"));
    const NpyArray a = readNpy(path("a.npy").toStdString());
    QCOMPARE(a.shape, (std::vector<int64_t>{300, 300}));
    QCOMPARE(a.data[static_cast<size_t>(10 * 300 + 100)], 0.0f);  // outside the band
    QVERIFY(!QFile::exists(path("a_max.npy")));
    const QJsonObject j = analysisOf(path("a.json"));
    QCOMPARE(j["map"].toObject()["exact"].toBool(), true);
    QCOMPARE(j["map"].toObject()["file"].toObject()["values"].toString(), QString("A"));
    QCOMPARE(j["pairs"].toObject()["source"].toString(), QString("layout"));
    const QJsonObject m = j["metrics"].toObject();
    QVERIFY(m["output_relative_error"].toDouble() > 0);
    QCOMPARE(m["kl_dense_to_variant"].toObject()["rows_infinite"].toInt(), 300);
    QVERIFY(m["entropy"].toObject()["uniform"].toDouble() > 5.7);
  }

  void pooledBeyond4096WithMax() {
    const Outcome o = cli(small_ + QStringList{"--variant", "sliding_window", "--n", "5000", "--heads", "1", "--out-map", path("p.npy"), "--out-json",
                                                path("p.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const NpyArray mean = readNpy(path("p.npy").toStdString()), max = readNpy(path("p_max.npy").toStdString());
    QCOMPARE(mean.shape, (std::vector<int64_t>{1024, 1024}));
    QCOMPARE(max.shape, (std::vector<int64_t>{1024, 1024}));
    for (size_t i = 0; i < mean.data.size(); i += 997) QVERIFY(max.data[i] >= mean.data[i]);
    const QJsonObject j = analysisOf(path("p.json"));
    QCOMPARE(j["map"].toObject()["exact"].toBool(), false);
    QCOMPARE(j["map"].toObject()["file"].toObject()["values"].toString(), QString("cell_mean"));
    QVERIFY(j["metrics"].isNull());  // off by default beyond n = 4096
  }

  void regionSizeHeadAndPng() {
    const Outcome o = cli(small_ + QStringList{"--variant", "dense", "--n", "400", "--map-region", "100:200,0:400", "--map-size", "50", "--map-head", "1",
                                                "--out-map", path("r.npy"), "--out-mask", path("r_mask.png"), "--colormap", "magma", "--out-json",
                                                path("r.json"), "--no-metrics"});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QCOMPARE(readNpy(path("r.npy").toStdString()).shape, (std::vector<int64_t>{50, 50}));
    QCOMPARE(pngSize(path("r_mask.png")), QSize(500, 500));  // small maps are enlarged with crisp cells
    const QJsonObject j = analysisOf(path("r.json"));
    QCOMPARE(j["head"].toInt(), 1);
    QCOMPARE(j["map"].toObject()["rows"].toArray()[0].toInt(), 100);
    QCOMPARE(j["map"].toObject()["cols"].toArray()[1].toInt(), 400);
    QVERIFY(j["metrics"].isNull());

    const Outcome png = cli(small_ + QStringList{"--variant", "longformer", "--n", "700", "--out-map", path("m.png")});
    QVERIFY2(png.code == 0, qPrintable(png.err));
    QCOMPARE(pngSize(path("m.png")), QSize(700, 700));
  }

  void maskNpyMatchesPairFraction() {
    const Outcome o = cli(small_ + QStringList{"--variant", "local_block", "--n", "256", "--param", "block=32", "--out-mask", path("k.npy"), "--out-json",
                                                path("k.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const NpyArray k = readNpy(path("k.npy").toStdString());
    double sum = 0;
    for (float v : k.data) {
      QVERIFY(v == 0.0f || v == 1.0f);
      sum += v;
    }
    QCOMPARE(sum, 8.0 * 32 * 32);
    QCOMPARE(analysisOf(path("k.json"))["pairs"].toObject()["fraction"].toDouble(), 1.0 / 8);
  }

  void spectrumCsv() {
    const Outcome o = cli(small_ + QStringList{"--variant", "linformer", "--n", "256", "--param", "k=16", "--out-spectrum", path("s.csv"), "--out-json",
                                                path("s.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QFile f(path("s.csv"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.first(), QString("index,sigma,cumulative_energy"));
    QCOMPARE(lines.size(), 257);
    double previous = 1e300;
    for (int i = 1; i < lines.size(); ++i) {
      const QStringList cells = lines[i].split(',');
      QCOMPARE(cells.size(), 3);
      QCOMPARE(cells[0].toInt(), i);
      QVERIFY(cells[1].toDouble() <= previous);
      previous = cells[1].toDouble();
    }
    QVERIFY(std::abs(lines.last().split(',')[2].toDouble() - 1.0) < 1e-6);
    const QJsonObject s = analysisOf(path("s.json"))["spectrum"].toObject();
    QCOMPARE(s["method"].toString(), QString("exact"));
    QCOMPARE(s["marks"].toArray()[0].toObject()["name"].toString(), QString("k"));

    const Outcome r = cli(small_ + QStringList{"--variant", "performer", "--n", "2100", "--param", "features=32", "--heads", "1", "--spectrum-rank", "12",
                                                "--out-spectrum", path("r.csv")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile rf(path("r.csv"));
    QVERIFY(rf.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(rf.readAll()).trimmed().split('\n').size(), 13);
  }

  void memorySlotsNpy() {
    const Outcome o = cli(small_ + QStringList{"--variant", "memory_slots", "--n", "300", "--param", "segment=64", "--param", "slots=5", "--out-memory",
                                                path("mem.npy"), "--out-json", path("mem.json")});
    QVERIFY2(o.code == 0, qPrintable(o.err));
    QCOMPARE(readNpy(path("mem.npy").toStdString()).shape, (std::vector<int64_t>{5, 5, 16}));
    const QJsonObject m = analysisOf(path("mem.json"))["memory"].toObject();
    QCOMPARE(m["snapshots"].toArray().size(), 5);
    QCOMPARE(m["snapshots"].toArray()[0].toObject()["slot_norms"].toArray().size(), 5);
    QVERIFY(m["snapshots"].toArray()[0].toObject()["provenance"].toArray()[0].toObject()["top"].toArray()[0].toObject().contains("label"));
    QCOMPARE(m["file"].toObject()["path"].toString(), path("mem.npy"));
  }

  void badValuesFailWithOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QStringList base{"run", "--variant", "dense", "--n", "64", "--heads", "2", "--d", "8", "--repeats", "1"};
    QTest::addRow("region text") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-region", "abc"} << "--map-region: 'abc' is not i0:i1,j0:j1";
    QTest::addRow("region rows only") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-region", "0:10"} << "--map-region";
    QTest::addRow("region reversed") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-region", "10:5,0:4"} << "--map-region";
    QTest::addRow("region past n") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-region", "0:100,0:10"} << "--map-region: 0:100,0:10 reaches past";
    QTest::addRow("region alone") << base + QStringList{"--map-region", "0:10,0:10"} << "--map-region: needs --out-map or --out-mask";
    QTest::addRow("size zero") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-size", "0"} << "--map-size: 0 is out of range";
    QTest::addRow("size huge") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-size", "99999"} << "--map-size";
    QTest::addRow("size text") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-size", "big"} << "--map-size: 'big' is not an integer";
    QTest::addRow("size alone") << base + QStringList{"--map-size", "10"} << "--map-size: needs --out-map";
    QTest::addRow("head past heads") << base + QStringList{"--out-map", "/tmp/x.npy", "--map-head", "2"} << "--map-head: 2 is out of range [0, 1]";
    QTest::addRow("head negative") << base + QStringList{"--map-head", "-1"} << "--map-head";
    QTest::addRow("map extension") << base + QStringList{"--out-map", "/tmp/x.txt"} << "--out-map: '/tmp/x.txt' must end in .npy or .png";
    QTest::addRow("mask extension") << base + QStringList{"--out-mask", "/tmp/x.jpg"} << "--out-mask";
    QTest::addRow("map unwritable") << base + QStringList{"--out-map", "/no/such/dir/x.npy"} << "--out-map: cannot write";
    QTest::addRow("colormap") << base + QStringList{"--out-map", "/tmp/x.png", "--colormap", "jet"} << "--colormap";
    QTest::addRow("spectrum rank zero") << base + QStringList{"--spectrum-rank", "0"} << "--spectrum-rank: 0 is out of range";
    QTest::addRow("spectrum rank past n") << base + QStringList{"--spectrum-rank", "100"} << "--spectrum-rank: 100 exceeds n = 64";
    QTest::addRow("spectrum unwritable") << base + QStringList{"--out-spectrum", "/no/such/dir/s.csv"} << "--out-spectrum: cannot write";
    QTest::addRow("memory extension") << base + QStringList{"--out-memory", "/tmp/m.png"} << "--out-memory: '/tmp/m.png' must end in .npy";
    QTest::addRow("memory without slots") << base + QStringList{"--out-memory", "/tmp/attnscope_mem.npy"} << "--out-memory: variant 'dense' keeps no memory slots";
  }

  void badValuesFailWithOneLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Outcome o = cli(args);
    QVERIFY2(o.code == 1 || o.code == 2, qPrintable(QString("exit %1").arg(o.code)));
    QVERIFY2(o.err.contains(expected), qPrintable(o.err));
    QCOMPARE(o.err.trimmed().count('\n'), 0);
    QVERIFY(o.err.startsWith("attnscope-cli: error: "));
  }
};

QTEST_MAIN(TestCliAnalysis)
#include "test_cli_analysis.moc"
