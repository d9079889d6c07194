#include "screenshot.hpp"

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "lesson_player.hpp"
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

bool scheduleLessonShots(MainWindow& window, const QString& dir, QString* error) {
  LessonPlayer* player = window.lessonPlayer();
  if (!player->active()) {
    *error = QApplication::translate("Screenshot", "--lesson-shots: no lesson is running");
    return false;
  }
  if (!QDir().mkpath(dir)) {
    *error = QApplication::translate("Screenshot", "--lesson-shots: cannot create the folder '%1'").arg(dir);
    return false;
  }
  // Polled: a step is ready when its page has results and the window has
  // nothing left to compute, twice in a row (a rerun may be about to start).
  auto* poll = new QTimer(&window);
  auto calm = std::make_shared<int>(0);
  auto waited = std::make_shared<int>(0);
  QObject::connect(poll, &QTimer::timeout, &window, [&window, player, dir, poll, calm, waited] {
    Page* page = window.currentPage();
    const bool ready = window.idle() && page && page->hasResults();
    *calm = ready ? *calm + 1 : 0;
    if ((*waited += poll->interval()) > kScreenshotTimeoutMs) {
      poll->stop();
      finish(1, QApplication::translate("Screenshot", "step %1 had no results after %2 s").arg(player->step() + 1).arg(kScreenshotTimeoutMs / 1000));
      return;
    }
    if (*calm < 2) return;
    const QString path = QDir(dir).filePath(QString("step-%1.png").arg(player->step() + 1, 2, 10, QChar('0')));
    if (!window.grab().toImage().save(path, "PNG")) {
      poll->stop();
      finish(1, QApplication::translate("Screenshot", "cannot write '%1'").arg(path));
      return;
    }
    std::printf("%s\n", qPrintable(path));
    *calm = 0;
    *waited = 0;
    if (player->step() + 1 >= player->stepCount()) {
      poll->stop();
      finish(0, QApplication::translate("Screenshot", "%1 step(s) written to %2").arg(player->stepCount()).arg(dir));
      return;
    }
    player->next();
  });
  QObject::connect(window.runner(), &JobRunner::jobFailed, &window, [](JobKind kind, JobId, const QString& message) {
    if (kind != JobKind::Explore) finish(1, message);
  });
  poll->start(200);
  return true;
}

}  // namespace attnscope
