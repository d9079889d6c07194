// The window's shell: pages from the registry, menus and shortcuts, export of
// the current view, light and dark themes, and sessions saved and reopened
// through the window (state, pages, a file that has gone missing).
#include <QtTest>

#include <QAction>
#include <QFile>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

#include "app_options.hpp"
#include "compare_page.hpp"
#include "main_window.hpp"
#include "page.hpp"
#include "sequence_panel.hpp"
#include "theme.hpp"
#include "variant_panel.hpp"

using namespace attnscope;

class TestAppShell : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  static AppOptions options(QStringList extra = {}) {
    QString error;
    auto o = parseAppOptions(QStringList{"--n", "64", "--heads", "2", "--d", "16"} + extra, &error);
    return *o;
  }

  static bool runAndWait(MainWindow& w) {
    QSignalSpy shown(w.page("compare"), &Page::resultsShown);
    w.runCompare();
    return shown.wait(60000);
  }

 private slots:
  void pagesComeFromTheRegistry() {
    MainWindow w(options());
    QStringList ids;
    for (const PageEntry& e : registeredPages()) ids << e.id;
    QCOMPARE(w.pageIds(), ids);
    QVERIFY(ids.contains("compare"));
    QCOMPARE(w.currentPage()->id(), QString("compare"));
    w.nextPage();
    QCOMPARE(w.currentPage()->id(), ids.value(1, "compare"));
    QVERIFY(w.showPage("compare"));
    QVERIFY(!w.showPage("no_such_page"));
    for (int i = 0; i < ids.size(); ++i) QVERIFY(!w.page(ids[i])->title().isEmpty());
  }

  void viewOptionPicksThePage() {
    const QString last = registeredPages().back().id;
    MainWindow w(options({"--view", last}));
    QCOMPARE(w.currentPage()->id(), last);
    QCOMPARE(w.session()->state().page, last);
  }

  void menusCarryTheShortcuts() {
    MainWindow w(options());
    QList<QKeySequence> keys;
    for (QAction* a : w.findChildren<QAction*>()) keys += a->shortcuts();
    for (const QKeySequence& k : {QKeySequence(QKeySequence::Open), QKeySequence(QKeySequence::Save), QKeySequence("Ctrl+R"), QKeySequence(Qt::Key_Escape),
                                  QKeySequence("Ctrl+PgDown"), QKeySequence(QKeySequence::Quit)})
      QVERIFY2(keys.contains(k), qPrintable(k.toString()));
  }

  void exportWritesPngAndSvg() {
    MainWindow w(options());
    w.show();
    // Under load the window may map after the results arrive: export what a user sees.
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(runAndWait(w));
    QTest::qWait(50);
    const QString png = dir_.filePath("view.png"), svg = dir_.filePath("view.svg");
    w.exportView(png);
    w.exportView(svg);
    QVERIFY2(w.errorText().isEmpty(), qPrintable(w.errorText()));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
      for (int x = 0; x < image.width(); x += 4) colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString("only %1 colours").arg(colours.size())));
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("<svg"));
  }

  void themesSwitchThePalette() {
    applyTheme(Theme::Dark);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
    QCOMPARE(currentTheme(), Theme::Dark);
    applyTheme(Theme::Light);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
  }

  // View > Dark Theme is kept for the next start (main applies savedTheme()).
  void themeChoiceIsSaved() {
    QSettings().remove("ui/theme");
    QCOMPARE(savedTheme(), Theme::Light);
    MainWindow w(options());
    auto* dark = w.findChild<QAction*>("theme_dark");
    auto* light = w.findChild<QAction*>("theme_light");
    QVERIFY(dark && light);
    dark->trigger();
    QCOMPARE(currentTheme(), Theme::Dark);
    QCOMPARE(savedTheme(), Theme::Dark);
    light->trigger();
    QCOMPARE(savedTheme(), Theme::Light);
    QSettings().remove("ui/theme");
  }

  void aSessionReopensAsSaved() {
    const QString path = dir_.filePath("round.attnscope");
    {
      MainWindow w(options());
      QVERIFY(runAndWait(w));
      w.sequencePanel()->lengthBox()->setValue(72);
      w.variantPanel()->setCheckedVariants({"dense", "bigbird"});
      emit w.variantPanel()->changed();
      QVERIFY(w.writeSession(path));
    }
    MainWindow w(options());
    QSignalSpy shown(w.page("compare"), &Page::resultsShown);
    QVERIFY(w.loadSession(path));
    QCOMPARE(w.session()->state().base.n, int64_t{72});
    QCOMPARE(w.session()->state().variants, (std::vector<std::string>{"dense", "bigbird"}));
    QCOMPARE(w.sequencePanel()->lengthBox()->value(), 72);
    QCOMPARE(w.variantPanel()->checkedVariants(), (std::vector<std::string>{"dense", "bigbird"}));
    QVERIFY(shown.wait(60000));
    QCOMPARE(qobject_cast<ComparePage*>(w.page("compare"))->columnCount(), 2);
  }

  void aSessionNamingAMissingFileSaysSo() {
    const QString input = dir_.filePath("gone.txt"), path = dir_.filePath("missing.attnscope");
    {
      QFile f(input);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("a short text that will be deleted");
    }
    {
      MainWindow w(options());
      QSignalSpy shown(w.page("compare"), &Page::resultsShown);
      w.openFile(input);
      QVERIFY(shown.wait(60000));
      QVERIFY(w.writeSession(path));
    }
    QFile::remove(input);
    MainWindow w(options());
    QVERIFY(w.loadSession(path));
    QVERIFY2(w.errorText().contains("gone.txt"), qPrintable(w.errorText()));
    QCOMPARE(w.session()->state().variants.size(), size_t{3});
  }
};

QTEST_MAIN(TestAppShell)
#include "test_app_shell.moc"
