// The metrics card shows a run's numbers with units and meanings, and a failure's reason.
#include <QTranslator>
#include <QtTest>

#include <QLabel>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "metrics_card.hpp"
#include "view_export.hpp"

using namespace attnscope;

namespace {
RunResult run() {
  RunResult r;
  r.time.medianMs = 1.5;
  r.time.minMs = 1.25;
  r.time.maxMs = 2.0;
  r.time.samplesMs = {1.25, 1.5, 2.0};
  r.memory.workspacePeakBytes = 3 * 1024 * 1024;
  r.memory.tensorBytes = 1024 * 1024;
  r.memory.runBytes = 4 * 1024 * 1024;
  r.gflops = 12.5;
  r.predicted.flops = 1.875e7;
  return r;
}

AnalysisResult analysis() {
  AnalysisResult a;
  a.pairs = {1024, 4096, 0.25, "layout"};
  Metrics m;
  m.outputRelativeError = 0.0123;
  m.klDenseToVariant.finite.mean = 0.5;
  m.klDenseToVariant.finite.rows = 10;
  m.klDenseToVariant.infiniteRows = 2;
  m.entropy.mean = 2.0;
  m.entropyDense.mean = 2.5;
  m.distance.mean = 12;
  m.distanceDense.mean = 40;
  m.recall.mean = 0.9;
  m.recall.min = 0.4;
  m.recall.rows = 64;
  m.global = GlobalMass{8, "globals", 0.3, 0.2};
  m.memoryMassMean = 0.15;
  a.metrics = m;
  return a;
}

QStringList labelTexts(const QWidget& w) {
  QStringList texts;
  for (const QLabel* l : w.findChildren<QLabel*>())
    if (l->isVisibleTo(&w) || !l->isHidden()) texts << l->text();
  return texts;
}
}  // namespace

class TestMetricsCard : public QObject {
  Q_OBJECT

 private slots:
  void formatsHumanUnits() {
    QCOMPARE(formatDuration(1.5), QString("1.500 ms"));
    QCOMPARE(formatDuration(0.25), QString("250.0 µs"));
    QCOMPARE(formatDuration(2500), QString("2.500 s"));
    QCOMPARE(formatBytes(512), QString("512 B"));
    QCOMPARE(formatBytes(3 * 1024 * 1024), QString("3.00 MiB"));
    QCOMPARE(formatBytes(1.5 * 1024 * 1024 * 1024), QString("1.50 GiB"));
    QCOMPARE(formatGflops(12.5), QString("12.5 GFLOP/s"));
    QCOMPARE(formatPercent(0.25), QString("25.0%"));
    QCOMPARE(formatNumber(std::numeric_limits<double>::infinity()), QString("∞"));
  }

  void showsEveryNumberWithItsMeaning() {
    MetricsCard card;
    const RunResult r = run();
    const AnalysisResult a = analysis();
    card.setRun(r, &a);
    QVERIFY(!card.hasError());
    const QStringList texts = labelTexts(card);
    for (const char* want : {"median time", "1.500 ms", "3.00 MiB", "4.00 MiB", "12.5 GFLOP/s", "25.0%", "0.0123", "attention recall", "mean 90.0%, worst query 40.0%",
                             "mass on global tokens", "30.0% (dense 20.0%)", "15.0%"})
      QVERIFY2(texts.contains(QString::fromUtf8(want)), qPrintable(QString("missing '%1' in: %2").arg(want, texts.join(" | "))));
    QVERIFY(card.valueText("kl").contains("0.5 nats") && card.valueText("kl").contains("2 row"));
    QVERIFY(card.valueText("entropy").contains("dense 2.5"));
    QVERIFY(card.valueText("spread").contains("1.250 ms") && card.valueText("spread").contains("2.000 ms"));
    for (const QString& key : card.keys()) QVERIFY2(!card.valueToolTip(key).isEmpty(), qPrintable(key));
    QCOMPARE(card.valueText("analysis_device"), QString("cpu"));  // where the map and spectrum came from
    QCOMPARE(card.keys().size(), 14);
  }

  // The kernels' notes on how to read the run show once each, under Notes,
  // in the window's language (here Chinese).
  void kernelNotesAreShownOnce() {
    RunResult r = run();
    r.result.extras.resize(3);
    const std::string causal = "transformer_xl is causal by construction (its memory holds earlier positions only)";
    for (HeadExtras& e : r.result.extras) e.notes.push_back(causal);
    const std::string wide = "k = 512 exceeds n = 300; used k = 300";
    r.result.extras[2].notes.push_back(wide);
    MetricsCard card;
    card.setRun(r, nullptr);
    auto* first = card.findChild<QLabel*>("note_0");
    auto* second = card.findChild<QLabel*>("note_1");
    QVERIFY(first && second && !card.findChild<QLabel*>("note_2"));
    QVERIFY(first->text().contains("causal by construction"));
    QVERIFY(second->text().contains("used k = 300"));
    QTranslator zh;
    QVERIFY(zh.load(":/attnscope/translations/attnscope_zh_CN.qm"));
    QCoreApplication::installTranslator(&zh);
    card.setRun(r, nullptr);
    const QString chinese = card.findChild<QLabel*>("note_0")->text();
    QCoreApplication::removeTranslator(&zh);
    QVERIFY2(chinese.contains("transformer_xl") && chinese.contains(QChar(0x56E0)), qPrintable(chinese));  // 因 (因果)
  }

  void withoutAnalysisShowsTheRunAlone() {
    MetricsCard card;
    card.setRun(run(), nullptr);
    QVERIFY(card.keys().contains("time"));
    QVERIFY(!card.keys().contains("recall"));
    QVERIFY(card.valueText("output_error").isEmpty());
  }

  void errorShowsTheReason() {
    MetricsCard card;
    const AnalysisResult a = analysis();
    card.setRun(run(), &a);
    card.setError("linformer does not support causal attention");
    QVERIFY(card.hasError());
    QVERIFY(card.errorText().contains("linformer does not support causal attention"));
    QVERIFY(card.keys().isEmpty());
    // The old numbers are gone: only the reason is shown.
    for (const QLabel* l : card.findChildren<QLabel*>()) QVERIFY(!l->text().contains("ms"));
    card.setRun(run(), nullptr);
    QVERIFY(!card.hasError());
  }

  void exportsPngAndSvg() {
    MetricsCard card;
    const AnalysisResult a = analysis();
    card.setRun(run(), &a);
    QTemporaryDir dir;
    const QString dump = qEnvironmentVariable("ATTNSCOPE_TEST_DUMP");
    QString error;
    QVERIFY2(saveWidgetPng(&card, dir.filePath("c.png"), &error), qPrintable(error));
    QVERIFY2(saveWidgetSvg(&card, dir.filePath("c.svg"), &error), qPrintable(error));
    if (!dump.isEmpty()) QFile::copy(dir.filePath("c.png"), dump + "/metrics.png");
    QVERIFY(!QImage(dir.filePath("c.png")).isNull());
    QFile file(dir.filePath("c.svg"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) xml.readNext();
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(file.size() > 500);
  }
};

QTEST_MAIN(TestMetricsCard)
#include "test_metrics_card.moc"
