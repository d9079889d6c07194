// The window in Simplified Chinese: menus, pages, the engine's words (variant
// titles, parameter help) translated and drawn with real glyphs; --lang
// chooses, a bad value fails clearly, English stays as it was, and View >
// Language offers a restart that reopens the session.
#include <QtTest>

#include <QAction>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QProcess>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTableWidget>

#include "app_options.hpp"
#include "attention/registry.hpp"
#include "language.hpp"
#include "main_window.hpp"
#include "page.hpp"
#include "variant_panel.hpp"

using namespace attnscope;

namespace {

bool hasCjk(const QString& text) {
  return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF; });
}

AppOptions options(const QStringList& extra = {}) {
  QString error;
  auto o = parseAppOptions(QStringList{"--n", "64", "--heads", "2", "--d", "16"} + extra, &error);
  return *o;
}

QStringList menuTitles(const MainWindow& w) {
  QStringList titles;
  for (QAction* a : w.menuBar()->actions()) titles << a->text();
  return titles;
}

QStringList tabTitles(const MainWindow& w) {
  QStringList titles;
  auto* tabs = w.findChild<QTabWidget*>("pages");
  for (int i = 0; tabs && i < tabs->count(); ++i) titles << tabs->tabText(i);
  return titles;
}

QString variantItemText(const MainWindow& w, const std::string& id) {
  auto* list = w.variantPanel()->findChild<QListWidget*>("variantList");
  for (int i = 0; list && i < list->count(); ++i)
    if (list->item(i)->data(Qt::UserRole + 1).toString().toStdString() == id) return list->item(i)->text();
  return {};
}

QString paramToolTipShown(const MainWindow& w, const std::string& variant, const char* param) {
  auto* form = w.variantPanel()->findChild<QWidget*>(QString::fromStdString("form_" + variant));
  auto* editor = form ? form->findChild<QWidget*>(param) : nullptr;
  return editor ? editor->toolTip() : QString();
}

// One character drawn alone in a font, as an image.
QImage glyphImage(const QFont& font, QChar c) {
  QImage image(48, 48, QImage::Format_RGB32);
  image.fill(Qt::white);
  QPainter p(&image);
  QFont f = font;
  f.setPixelSize(32);
  p.setFont(f);
  p.setPen(Qt::black);
  p.drawText(image.rect(), Qt::AlignCenter, QString(c));
  return image;
}

int inkPixels(const QImage& image, QRgb background) {
  int ink = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) ink += qGray(image.pixel(x, y)) < qGray(background) - 60 || qGray(image.pixel(x, y)) > qGray(background) + 60;
  return ink;
}

}  // namespace

class TestAppChinese : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    // The language menu saves its choice: keep it out of the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QSettings().remove("ui/language");
  }

  // Runs before the translator is installed: English as it always was.
  void englishIsUnchanged() {
    QVERIFY(installLanguage("en"));
    QCOMPARE(currentLanguage(), QString("en"));
    MainWindow w(options({"--lang", "en"}));
    QCOMPARE(menuTitles(w), (QStringList{"&File", "&View", "&Run"}));
    const QStringList tabs = tabTitles(w);
    QVERIFY2(tabs.contains("Compare") && tabs.contains("Scaling") && tabs.contains("Explorer"), qPrintable(tabs.join(", ")));
    const VariantInfo& info = VariantRegistry::instance().get("sliding_window").info();
    QCOMPARE(variantItemText(w, "sliding_window"), QString::fromStdString(info.title));
    const ParamSpec& window = info.params.front();
    QCOMPARE(paramToolTipShown(w, "sliding_window", window.name.c_str()),
             QString::fromStdString(window.help + " (" + window.allowed() + ", " + window.unit + ")"));
    for (const QString& t : menuTitles(w) + tabs) QVERIFY2(!hasCjk(t), qPrintable(t));
  }

  void chineseWindow() {
    QVERIFY(installLanguage("zh_CN"));
    QCOMPARE(currentLanguage(), QString("zh_CN"));
    MainWindow w(options({"--lang", "zh_CN"}));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));

    const QStringList menus = menuTitles(w);
    QCOMPARE(menus.size(), 3);
    QCOMPARE(menus.front(), QString("文件(&F)"));
    for (const QString& t : menus) QVERIFY2(hasCjk(t) && t.contains(QRegularExpression("\\(&[A-Z]\\)$")), qPrintable(t));
    const QStringList tabs = tabTitles(w);
    QCOMPARE(tabs.size(), w.pageIds().size());
    for (const QString& t : tabs) QVERIFY2(hasCjk(t), qPrintable(t));

    // The engine's words, through the "engine" context; parameter names stay CLI keys.
    const QString title = variantItemText(w, "sliding_window");
    QVERIFY2(hasCjk(title), qPrintable(title));
    QCOMPARE(title, QString("滑动窗口"));
    const QString tip = paramToolTipShown(w, "sliding_window", "window");
    QVERIFY2(hasCjk(tip) && tip.contains("[0, ") && tip.endsWith("token）"), qPrintable(tip));
    auto* longformer = w.variantPanel()->findChild<QWidget*>("form_longformer");
    QVERIFY(longformer && longformer->findChild<QWidget*>("globals"));
    QVERIFY(hasCjk(paramToolTipShown(w, "bigbird", "random_blocks")));

    // The scaling page's comparison table: titles and what each suits, in Chinese.
    auto* table = w.page("scaling")->findChild<QTableWidget*>();
    QVERIFY(table && table->rowCount() >= 10);
    for (int row = 0; row < table->rowCount(); ++row)
      for (int col : {0, 1}) QVERIFY2(table->item(row, col) && hasCjk(table->item(row, col)->text()), qPrintable(QString("row %1 column %2").arg(row).arg(col)));
  }

  void chineseGlyphsAreDrawn() {
    QVERIFY(installLanguage("zh_CN"));
    MainWindow w(options({"--lang", "zh_CN"}));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* bar = w.findChild<QTabWidget*>("pages")->tabBar();
    // The window's font has every character the tabs show.
    const QFontMetrics metrics(bar->font());
    for (int i = 0; i < bar->count(); ++i)
      for (const QChar c : bar->tabText(i)) QVERIFY2(metrics.inFontUcs4(c.unicode()), qPrintable(QString("no glyph for %1").arg(c)));
    // Real glyphs, not boxes: each character draws ink, and two characters
    // draw differently (every missing glyph draws the same box).
    const QFont font = bar->font();
    const QImage dui = glyphImage(font, QChar(0x5BF9)), bi = glyphImage(font, QChar(0x6BD4));  // 对, 比
    QVERIFY(inkPixels(dui, qRgb(255, 255, 255)) > 40);
    QVERIFY(dui != bi);
    // The window as shown: the first tab's title region has text drawn in it.
    const QImage shot = w.grab().toImage();
    const QRect tab = QRect(bar->mapTo(&w, bar->tabRect(0).topLeft()), bar->tabRect(0).size()).adjusted(4, 4, -4, -4);
    const QImage region = shot.copy(QRect(tab.topLeft() * shot.devicePixelRatio(), tab.size() * shot.devicePixelRatio()));
    QVERIFY(!region.isNull());
    QVERIFY2(inkPixels(region, region.pixel(1, 1)) > 20, "the Compare tab's title drew nothing");
  }

  void languageMenuSavesTheChoice() {
    QVERIFY(installLanguage("zh_CN"));
    MainWindow w(options());
    auto* english = w.findChild<QAction*>("language_en");
    auto* chinese = w.findChild<QAction*>("language_zh_CN");
    QVERIFY(english && chinese);
    QCOMPARE(english->text(), QString("English"));
    QCOMPARE(chinese->text(), QString("中文"));
    QVERIFY(chinese->isChecked());
    english->trigger();
    QCOMPARE(savedLanguage(), QString("en"));
    QVERIFY2(hasCjk(w.statusLabel()->text()) && w.statusLabel()->text().contains("English"), qPrintable(w.statusLabel()->text()));
    chinese->trigger();
    QCOMPARE(savedLanguage(), QString("zh_CN"));
    QSettings().remove("ui/language");
  }

  // Another language is offered as a restart, asked in both languages:
  // "Later" keeps the window; "Restart Now" saves the session, starts the
  // program on it with --lang and --restart-from, and closes this window.
  void languageChangeOffersARestart() {
    QApplication::setQuitOnLastWindowClosed(false);
    QVERIFY(installLanguage("zh_CN"));
    MainWindow w(options({"--variant", "longformer", "--compare", "dense", "--param", "window=5"}));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QString program;
    QStringList launched;
    bool launches = true;
    w.setLauncher([&](const QString& p, const QStringList& a) {
      program = p;
      launched = a;
      return launches;
    });
    auto* english = w.findChild<QAction*>("language_en");
    auto ask = [&]() -> QMessageBox* {
      english->trigger();
      auto* box = w.findChild<QMessageBox*>("restartQuestion");
      for (int k = 0; box && !box->isVisible() && k < 100; ++k) QTest::qWait(50);
      return box && box->isVisible() ? box : nullptr;
    };
    QMessageBox* box = ask();
    QVERIFY(box);
    QVERIFY2(box->text().contains("English") && hasCjk(box->text()), qPrintable(box->text()));
    box->findChild<QPushButton*>("restartLater")->click();
    QTRY_VERIFY(!w.findChild<QMessageBox*>("restartQuestion"));
    QVERIFY(launched.isEmpty());
    QVERIFY(w.isVisible());
    QCOMPARE(savedLanguage(), QString("en"));  // the choice holds for the next start either way

    // The program cannot start: the window stays, says why, and leaves no file behind.
    launches = false;
    box = ask();
    QVERIFY(box);
    box->findChild<QPushButton*>("restartNow")->click();
    QTRY_VERIFY(!launched.isEmpty());
    QVERIFY(w.isVisible());
    QVERIFY(!w.errorText().isEmpty());
    QVERIFY(!QFileInfo::exists(launched.last()));

    launched.clear();
    launches = true;
    box = ask();
    QVERIFY(box);
    box->findChild<QPushButton*>("restartNow")->click();
    QTRY_VERIFY(!launched.isEmpty());
    QCOMPARE(program, QCoreApplication::applicationFilePath());
    QCOMPARE(launched.mid(0, 3), (QStringList{"--lang", "en", "--restart-from"}));
    QTRY_VERIFY(!w.isVisible());
    // The new process's flags parse, and its session is this one.
    QString error;
    const auto restarted = parseAppOptions(launched, &error);
    QVERIFY2(restarted, qPrintable(error));
    QCOMPARE(restarted->restartFrom, launched[3]);
    MainWindow again(options());
    QVERIFY(again.loadSession(launched[3], false));
    QCOMPARE(again.session()->state().variants, (std::vector<std::string>{"longformer", "dense"}));
    QCOMPARE(again.session()->state().variantSpecs[0].params.getInt("window"), int64_t(5));
    again.runner()->cancelAll();
    w.runner()->cancelAll();
    // The program itself, started as the restart starts it: it opens the
    // saved session (here also saving a picture, so that it exits) and removes the file.
    QTemporaryDir shots;
    QProcess restartedProgram;
    restartedProgram.start(ATTNSCOPE_GUI_EXE, launched + QStringList{"--screenshot", shots.filePath("after-restart.png")});
    QVERIFY(restartedProgram.waitForFinished(120000));
    QVERIFY2(restartedProgram.exitCode() == 0, restartedProgram.readAllStandardError().constData());
    QVERIFY(QFileInfo::exists(shots.filePath("after-restart.png")));
    QVERIFY(!QFileInfo::exists(launched[3]));
    QSettings().remove("ui/language");
    QApplication::setQuitOnLastWindowClosed(true);
  }

  // The engine's errors reach the window reworded, around the same names.
  void engineErrorsInChinese() {
    QVERIFY(installLanguage("zh_CN"));
    MainWindow w(options());
    w.openFile("/nonexistent/合同.csv");
    QTRY_VERIFY_WITH_TIMEOUT(!w.errorText().isEmpty(), 30000);
    QVERIFY2(w.errorText().contains("无法打开文件") && w.errorText().contains("合同.csv"), qPrintable(w.errorText()));
    w.runner()->cancelAll();
  }

  void languageIsChosenInOrder() {
    const QLocale english(QLocale::English, QLocale::UnitedStates), mainland(QLocale::Chinese, QLocale::China), taiwan(QLocale::Chinese, QLocale::Taiwan);
    QCOMPARE(chooseLanguage("en", "zh_CN", mainland), QString("en"));  // --lang first
    QCOMPARE(chooseLanguage("", "zh_CN", english), QString("zh_CN"));  // then the saved choice
    QCOMPARE(chooseLanguage("", "", mainland), QString("zh_CN"));      // then the system
    QCOMPARE(chooseLanguage("", "", taiwan), QString("zh_CN"));
    QCOMPARE(chooseLanguage("", "", english), QString("en"));
    QCOMPARE(chooseLanguage("", "fr", QLocale(QLocale::French)), QString("en"));
  }

  void badLanguageFailsClearly() {
    QString error;
    QVERIFY(!parseAppOptions({"--lang", "fr"}, &error));
    QVERIFY2(error.contains("--lang") && error.contains("fr") && error.contains("en") && error.contains("zh_CN"), qPrintable(error));
    QProcess app;
    app.start(ATTNSCOPE_GUI_EXE, {"--lang", "fr"});
    QVERIFY(app.waitForFinished(60000));
    QCOMPARE(app.exitCode(), 2);
    // --help speaks the chosen language too (and needs no display).
    QProcess help;
    help.start(ATTNSCOPE_GUI_EXE, {"--lang", "zh_CN", "--help"});
    QVERIFY(help.waitForFinished(60000));
    QCOMPARE(help.exitCode(), 0);
    const QString usage = QString::fromUtf8(help.readAllStandardOutput());
    QVERIFY2(usage.contains("用法") && usage.contains("--restart-from") && usage.contains("因果注意力"), qPrintable(usage));  // the run flags too
    help.start(ATTNSCOPE_GUI_EXE, {"--lang", "en", "--help"});
    QVERIFY(help.waitForFinished(60000));
    QVERIFY(QString::fromUtf8(help.readAllStandardOutput()).startsWith("usage: attnscope"));
    const QString stderrText = QString::fromLocal8Bit(app.readAllStandardError());
    QVERIFY2(stderrText.contains("--lang: unknown language 'fr' (languages: en, zh_CN)"), qPrintable(stderrText));
    auto ok = parseAppOptions({"--lang", "zh_CN"}, &error);
    QVERIFY(ok);
    QCOMPARE(ok->language, QString("zh_CN"));
  }
};

QTEST_MAIN(TestAppChinese)
#include "test_app_chinese.moc"
