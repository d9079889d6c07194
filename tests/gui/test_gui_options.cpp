// The window's command line: the run flags are the CLI's (same parser, same
// limits), order does not matter, and window-only flags are kept.
#include <QtTest>

#include <QProcess>

#include "app_options.hpp"

using namespace attnscope;

class TestGuiOptions : public QObject {
  Q_OBJECT

 private slots:
  void causalBeforeVariantStaysCausal() {
    QString error;
    auto o = parseAppOptions({"--causal", "--variant", "sliding_window", "--param", "window=16"}, &error);
    QVERIFY2(o, qPrintable(error));
    QCOMPARE(QString::fromStdString(o->spec.attention.variant), QString("sliding_window"));
    QVERIFY(o->spec.attention.causal);
    QCOMPARE(o->spec.attention.params.getInt("window"), int64_t{16});
  }

  void windowFlags() {
    QString error;
    auto o = parseAppOptions({"--view", "scaling", "--session", "s.attnscope", "--screenshot", "x.png", "--compare", "dense,linformer", "--head", "2"},
                             &error);
    QVERIFY2(o, qPrintable(error));
    QCOMPARE(o->view, QString("scaling"));
    QCOMPARE(o->sessionFile, QString("s.attnscope"));
    QCOMPARE(o->screenshotPath, QString("x.png"));
    QCOMPARE(o->compare.size(), size_t{2});
    QCOMPARE(o->mapHead, 2);
  }

  void sameLimitsAsTheCli() {
    QString error;
    QVERIFY(!parseAppOptions({"--heads", "257"}, &error));
    QVERIFY2(error.contains("--heads: 257 is out of range [1, 256]"), qPrintable(error));
    QVERIFY(parseAppOptions({"--heads", "256"}, &error));
  }

  void fileInputRunsAtItsOwnLength() {
    QString error;
    auto o = parseAppOptions({"--input", "book.txt"}, &error);
    QVERIFY2(o, qPrintable(error));
    QCOMPARE(o->inputFile, QString("book.txt"));
    QCOMPARE(o->spec.n, int64_t{0});
    auto cropped = parseAppOptions({"--input", "book.txt", "--n", "512"}, &error);
    QVERIFY2(cropped, qPrintable(error));
    QCOMPARE(cropped->spec.n, int64_t{512});
  }

  void helpAndBadFlagsNeedNoDisplay() {
    // Forced onto a window system that cannot start here: flags must be answered before it is touched.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.insert("QT_QPA_PLATFORM", "xcb");
    for (const QStringList& args : {QStringList{"--help"}, QStringList{"--heads", "999"}}) {
      QProcess p;
      p.setProcessEnvironment(env);
      p.start(ATTNSCOPE_GUI_EXE, args);
      QVERIFY(p.waitForFinished(30000));
      const QString out = QString::fromUtf8(p.readAllStandardOutput()), err = QString::fromUtf8(p.readAllStandardError());
      if (args.front() == "--help") {
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains("--screenshot") && out.contains("--variant"), qPrintable(out + err));
      } else {
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(err.contains("--heads: 999 is out of range"), qPrintable(err));
      }
    }
  }

  void badInputNamesTheFlag() {
    QString error;
    QVERIFY(!parseAppOptions({"--compare", "dense,nosuch"}, &error));
    QVERIFY2(error.contains("nosuch"), qPrintable(error));
    QVERIFY(!parseAppOptions({"--bogus"}, &error));
    QVERIFY2(error.contains("--bogus"), qPrintable(error));
    QVERIFY(!parseAppOptions({"--variant", "nosuch"}, &error));
    QVERIFY2(error.contains("--variant"), qPrintable(error));
    auto help = parseAppOptions({"--help"}, &error);
    QVERIFY(help && help->helpRequested);
  }
};

QTEST_MAIN(TestGuiOptions)
#include "test_gui_options.moc"
