#include "screenshot.hpp"

#include <QApplication>
#include <QImage>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "main_window.hpp"
#include "pages/page.hpp"

namespace attnscope {

namespace {

constexpr int kScreenshotTimeoutMs = 240000;

void finish(int code, const QString& message) {
  std::fprintf(code == 0 ? stdout : stderr, "%s%s\n", code == 0 ? "" : "attnscope: error: ", qPrintable(message));
  QApplication::exit(code);
}

}  // namespace

bool scheduleScreenshot(MainWindow& window, const QString& path, const QString& view, QString* error) {
  if (!window.showPage(view)) {
    *error = QApplication::translate("Screenshot", "--view: unknown page '%1' (pages: %2)").arg(view, window.pageIds().join(", "));
    return false;
  }
  Page* page = window.page(view);
  auto taken = std::make_shared<bool>(false);
  auto shoot = [&window, page, path, taken] {
    // One more turn of the event loop so the last results are painted.
    QTimer::singleShot(100, &window, [&window, page, path, taken] {
      if (*taken || !page->hasResults()) return;
      *taken = true;
      const QImage image = window.grab().toImage();
      if (image.isNull() || !image.save(path, "PNG")) {
        finish(1, QApplication::translate("Screenshot", "cannot write screenshot '%1'").arg(path));
        return;
      }
      finish(0, QApplication::translate("Screenshot", "screenshot written to %1").arg(path));
    });
  };
  QObject::connect(page, &Page::resultsShown, &window, shoot);
  QObject::connect(window.runner(), &JobRunner::jobFailed, &window, [](JobKind, JobId, const QString& message) { finish(1, message); });
  QTimer::singleShot(kScreenshotTimeoutMs, &window, [view] {
    finish(1, QApplication::translate("Screenshot", "the %1 page had no results after %2 s").arg(view).arg(kScreenshotTimeoutMs / 1000));
  });
  // Pages other than Compare run their own work (a sweep, say); Compare's batch starts with the window.
  if (view != "compare") QTimer::singleShot(0, page, [page] { page->runDefault(); });
  if (page->hasResults()) shoot();
  return true;
}

}  // namespace attnscope
