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
