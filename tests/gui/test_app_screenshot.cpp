// End to end: the app opens on the built-in sample, runs on its worker
// thread, draws the map and saves a screenshot; the PNG is checked.
#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

class TestAppScreenshot : public QObject {
  Q_OBJECT

 private:
  static QImage runScreenshot(const QStringList& extra, int* exitCode, QString* errors) {
    QTemporaryDir dir;
    const QString path = dir.filePath("shot.png");
    QProcess app;
    app.start(ATTNSCOPE_GUI_EXE, QStringList{"--screenshot", path} + extra);
    if (!app.waitForFinished(120000)) {
      app.kill();
      *exitCode = -1;
      return {};
    }
    *exitCode = app.exitCode();
    *errors = QString::fromLocal8Bit(app.readAllStandardError());
    return QImage(path);
  }

 private slots:
  void screenshotShowsANonUniformHeatmap() {
    int code = 0;
    QString errors;
    const QImage shot = runScreenshot({"--n", "256"}, &code, &errors);
    QVERIFY2(code == 0, qPrintable(errors));
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() >= 600 && shot.height() >= 400);
    // Count distinct colours in the central area: a drawn attention map has many.
    QSet<QRgb> colours;
    for (int y = shot.height() / 4; y < 3 * shot.height() / 4; y += 3)
      for (int x = shot.width() / 3; x < 5 * shot.width() / 6; x += 3) colours.insert(shot.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString("only %1 colours").arg(colours.size())));
  }

  void compareViewShowsEveryColumnsMap() {
    int code = 0;
    QString errors;
    const QImage shot = runScreenshot({"--view", "compare", "--n", "128", "--compare", "sliding_window,linformer"}, &code, &errors);
    QVERIFY2(code == 0, qPrintable(errors));
    QVERIFY(!shot.isNull());
    QSet<QRgb> colours;
    for (int y = shot.height() / 6; y < shot.height() / 2; y += 3)
      for (int x = shot.width() / 3; x < shot.width(); x += 3) colours.insert(shot.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString("only %1 colours").arg(colours.size())));
  }

  void everyPageCanBeShot() {
    for (const char* view : {"scaling", "tradeoff", "profile", "runs", "explorer", "lessons"}) {
      int code = 0;
      QString errors;
      const QImage shot = runScreenshot({"--view", view, "--n", "64", "--heads", "1", "--d", "16"}, &code, &errors);
      QVERIFY2(code == 0, qPrintable(QString("%1: %2").arg(view, errors)));
      QVERIFY2(!shot.isNull(), view);
    }
  }

  void unknownViewFailsClearly() {
    int code = 0;
    QString errors;
    runScreenshot({"--view", "no_such_page"}, &code, &errors);
    QVERIFY(code != 0);
    QVERIFY2(errors.contains("no_such_page"), qPrintable(errors));
  }

  void badInputFailsWithItsReason() {
    int code = 0;
    QString errors;
    runScreenshot({"--input", "/nonexistent/file.txt"}, &code, &errors);
    QCOMPARE(code, 1);
    QVERIFY2(errors.contains("file.txt"), qPrintable(errors));
  }

  void badArgumentsFailClearly() {
    int code = 0;
    QString errors;
    runScreenshot({"--variant", "no_such_variant"}, &code, &errors);
    QCOMPARE(code, 2);
    QVERIFY2(errors.contains("unknown variant"), qPrintable(errors));
  }
};

QTEST_GUILESS_MAIN(TestAppScreenshot)
#include "test_app_screenshot.moc"
