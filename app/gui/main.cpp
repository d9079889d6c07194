// attnscope: the desktop lab. Opens on the built-in sample and compares
// variants on it (or on the file, or the session, named on the command line).
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <cstdio>

#include "app_options.hpp"
#include "language.hpp"
#include "main_window.hpp"
#include "pages/page.hpp"
#include "process_memory.hpp"
#include "screenshot.hpp"
#include "theme.hpp"

int main(int argc, char** argv) {
  Q_INIT_RESOURCE(attnscope);  // the icon and the lessons, from the static library
  attnscope::keepFreedMemoryForReuse();
  // Crisp at fractional scale factors (125 %, 150 %) instead of rounded ones.
  QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
  // Flags are read before the window system is touched, so --help and bad
  // flags answer on a machine without a display too.
  QStringList arguments;
  for (int i = 1; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
  QString error;
  auto options = attnscope::parseAppOptions(arguments, &error);
  if (!options) {
    std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(error));
    return 2;
  }
  if (options->helpRequested) {
    // In the window's language (--lang, the saved choice, the system's), without a display.
    QCoreApplication core(argc, argv);
    QCoreApplication::setApplicationName("AttnScope");
    QCoreApplication::setOrganizationName("AttnScope");
    attnscope::installLanguage(attnscope::chooseLanguage(options->language, attnscope::savedLanguage(), QLocale::system()));
    std::printf("%s", attnscope::appUsage().toUtf8().constData());
    return 0;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnScope");
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/attnscope/icons/attnscope.svg")));
  QApplication::setOrganizationName("AttnScope");
  // The language goes in before any widget exists: tr() runs as widgets are built.
  options->language = attnscope::chooseLanguage(options->language, attnscope::savedLanguage(), QLocale::system());
  if (!attnscope::installLanguage(options->language, &error)) std::fprintf(stderr, "attnscope: warning: %s; the window is in English\n", qPrintable(error));
  // The theme chosen last; pictures for a page (--screenshot, --lesson-shots) stay light, as the docs show them.
  const bool picture = !options->screenshotPath.isEmpty() || !options->lessonShots.isEmpty();
  attnscope::applyTheme(picture ? attnscope::Theme::Light : attnscope::savedTheme());
  attnscope::MainWindow window(*options);
  QString view = options->view;
  if (!options->lesson.isEmpty()) {
    if (!window.startLesson(options->lesson, options->lessonStep - 1)) {
      std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(window.errorText()));
      return 2;
    }
    view = window.currentPage()->id();
  }
  if (!options->screenshotPath.isEmpty() && !attnscope::scheduleScreenshot(window, options->screenshotPath, view, &error)) {
    std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(error));
    return 2;
  }
  if (!options->lessonShots.isEmpty() && !attnscope::scheduleLessonShots(window, options->lessonShots, &error)) {
    std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(error));
    return 2;
  }
  window.show();
  if (options->presentation) window.setPresentationMode(true);
  // Started plainly (no flags but the language), the window comes back as it
  // was left (layout and session); so it does when it restarts itself in
  // another language, from the session it saved for that.
  const QStringList given = app.arguments().mid(1);
  const bool plainStart = given.isEmpty() || (given.size() == 2 && given[0] == "--lang") || (given.size() == 1 && given[0].startsWith("--lang=")) ||
                          !options->restartFrom.isEmpty();
  const QString lastState = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/last.attnscope";
  if (plainStart) {
    QSettings settings;
    window.restoreGeometry(settings.value("window/geometry").toByteArray());
    window.restoreState(settings.value("window/state").toByteArray());
    QObject::connect(&app, &QApplication::aboutToQuit, &window, [&window, lastState] {
      QSettings settings;
      settings.setValue("window/geometry", window.saveGeometry());
      settings.setValue("window/state", window.saveState());
      QDir().mkpath(QFileInfo(lastState).path());
      window.writeSession(lastState, false);
    });
  }
  // A session runs itself once opened; otherwise the first compare batch starts now.
  if (!options->restartFrom.isEmpty()) {
    const QString saved = options->restartFrom;
    QTimer::singleShot(0, &window, [&window, saved] {
      window.loadSession(saved, false);
      QFile::remove(saved);
    });
  } else if (plainStart && QFileInfo::exists(lastState)) QTimer::singleShot(0, &window, [&window, lastState] { window.loadSession(lastState, false); });
  else if (options->sessionFile.isEmpty() && options->lesson.isEmpty()) QTimer::singleShot(0, &window, &attnscope::MainWindow::runCompare);
  return app.exec();
}
