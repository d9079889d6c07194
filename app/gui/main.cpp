// attnscope: the desktop lab. Opens on the built-in sample and runs dense.
#include <QApplication>
#include <QImage>
#include <QTimer>
#include <cstdio>

#include "app_options.hpp"
#include "main_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnScope");
  QString error;
  auto options = attnscope::parseAppOptions(app.arguments().mid(1), &error);
  if (!options) {
    std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(error));
    return 2;
  }
  attnscope::MainWindow window(*options);
  window.show();

  if (!options->screenshotPath.isEmpty()) {
    const QString path = options->screenshotPath;
    QObject::connect(&window, &attnscope::MainWindow::mapDrawn, &window, [&window, path] {
      // Let the map paint once before grabbing.
      QTimer::singleShot(50, &window, [&window, path] {
        const QImage image = window.grab().toImage();
        if (image.isNull() || !image.save(path, "PNG")) {
          std::fprintf(stderr, "attnscope: error: cannot write screenshot '%s'\n", qPrintable(path));
          QApplication::exit(1);
          return;
        }
        std::printf("screenshot written to %s\n", qPrintable(path));
        QApplication::exit(0);
      });
    });
    QObject::connect(&window, &attnscope::MainWindow::runFailed, &window, [](const QString& message) {
      std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(message));
      QApplication::exit(1);
    });
  }
  if (!options->inputFile.isEmpty())
    QTimer::singleShot(0, &window, [&window, path = options->inputFile] { window.openFile(path); });
  else
    QTimer::singleShot(0, &window, &attnscope::MainWindow::runNow);
  return app.exec();
}
