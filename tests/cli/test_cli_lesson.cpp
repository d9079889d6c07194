// attnscope-cli lesson: a good lesson lists its steps (in the asked language),
// a broken one exits 1 naming the file, the step and the field, and usage
// mistakes exit 2.
#include <QTemporaryDir>
#include <QtTest>

#include "cli_runner.hpp"

using namespace attnscope::testing;

class TestCliLesson : public QObject {
  Q_OBJECT

  static QString shipped(const char* id) { return QString(ATTNSCOPE_SOURCE_DIR) + "/resources/lessons/" + id + ".json"; }

 private slots:
  void listsTheSteps() {
    const CliOutcome r = runCli({"lesson", "--file", shipped("sparse-windows"), "--file", shipped("cost-scaling")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("sparse-windows: Sparse attention: which pairs are computed (6 steps)"));
    QVERIFY(r.out.contains("[explorer] sliding_window,dense A sliding window keeps the neighbours"));
    QVERIFY(r.out.contains("cost-scaling:"));
    const CliOutcome zh = runCli({"lesson", "--file", shipped("low-rank"), "--lang", "zh_CN"});
    QCOMPARE(zh.code, 0);
    QVERIFY(zh.out.contains("低秩近似"));
  }

  void brokenLessonsNameTheirPlace() {
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"title\": \"T\", \"steps\": [{\"title\": \"S\", \"text\": \"X\"}, "
            "{\"title\": \"S2\", \"text\": \"Y\", \"preset\": {\"variants\": [{\"id\": \"bigbird\", \"params\": {\"block\": 0}}]}}]}");
    f.close();
    const CliOutcome r = runCli({"lesson", "--file", path});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("broken.json: step 2.preset.variants.1.params.block:"), qPrintable(r.err));
    QCOMPARE(runCli({"lesson", "--file", dir.filePath("missing.json")}).code, 1);
  }

  void usageMistakes() {
    const CliOutcome none = runCli({"lesson"});
    QCOMPARE(none.code, 2);
    QVERIFY(none.err.contains("--file"));
    QCOMPARE(runCli({"lesson", "--files", "x"}).code, 2);
    QVERIFY(runCli({"lesson", "--help"}).out.contains("usage: attnscope-cli lesson"));
  }
};

QTEST_MAIN(TestCliLesson)
#include "test_cli_lesson.moc"
