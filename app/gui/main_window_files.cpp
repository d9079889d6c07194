// The window's files: sessions saved and reopened (the state, each page's
// own state, the layout) and the current view exported as PNG or SVG.
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QTabWidget>

#include <nlohmann/json.hpp>

#include "main_window.hpp"
#include "pages/page.hpp"
#include "run_history.hpp"
#include "session_file.hpp"
#include "view_export.hpp"

namespace attnscope {

void MainWindow::chooseExport(const QString& format) {
  Page* p = currentPage();
  if (!p) return;
  const QString filter = format == "svg" ? tr("SVG images (*.svg)") : tr("PNG images (*.png)");
  QString path = QFileDialog::getSaveFileName(this, tr("Export the view"), p->id() + "." + format, filter);
  if (path.isEmpty()) return;
  if (!path.endsWith("." + format, Qt::CaseInsensitive)) path += "." + format;
  exportView(path);
}

void MainWindow::exportView(const QString& path) {
  Page* p = currentPage();
  if (!p) return;
  QString error;
  bool ok = false;
  if (path.endsWith(".svg", Qt::CaseInsensitive)) {
    ok = saveWidgetSvg(p, path, &error, p->size());
  } else {
    const QImage image = p->renderImage();
    ok = !image.isNull() && image.save(path, "PNG");
    if (!ok) error = tr("cannot write '%1'").arg(path);
  }
  if (ok) statusText_->setText(tr("Exported %1").arg(QFileInfo(path).fileName()));
  else showError(tr("Export failed: %1").arg(error));
}

void MainWindow::openSessionFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a session"), QString(), tr("AttnScope sessions (*.attnscope);;All files (*)"));
  if (!path.isEmpty()) loadSession(path);
}

void MainWindow::saveSessionFile() {
  QString path = QFileDialog::getSaveFileName(this, tr("Save the session"), tr("session.attnscope"), tr("AttnScope sessions (*.attnscope)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".attnscope")) path += ".attnscope";
  writeSession(path);
}

bool MainWindow::loadSession(const QString& path, bool remember) {
  QStringList warnings;
  QString error;
  SessionExtras extras;
  const std::optional<SessionState> state = openSession(path, &warnings, &error, &extras);
  if (!state) {
    showError(error);
    return false;
  }
  session_->setState(*state);
  // The history first: pages restoring their state may refer to its runs.
  RunHistory::of(runner_)->restoreJson(extras.runs, &warnings);
  for (int i = 0; i < pages_->count(); ++i)
    if (auto* p = qobject_cast<Page*>(pages_->widget(i)); p && extras.pages.contains(p->id().toStdString()))
      p->restoreState(extras.pages[p->id().toStdString()]);
  if (extras.window.contains("geometry") && extras.window["geometry"].is_string())
    restoreGeometry(QByteArray::fromBase64(QByteArray::fromStdString(extras.window["geometry"].get<std::string>())));
  if (extras.window.contains("state") && extras.window["state"].is_string())
    restoreState(QByteArray::fromBase64(QByteArray::fromStdString(extras.window["state"].get<std::string>())));
  showPage(state->page);
  if (remember) noteRecentSession(path);
  // What had to change (a missing file, an unknown variant) is said; the rest opened as saved.
  if (!warnings.isEmpty()) showError(tr("Opened %1 with changes: %2").arg(QFileInfo(path).fileName(), warnings.join(QStringLiteral("; "))));
  else clearError();
  runCompare();
  return true;
}

bool MainWindow::writeSession(const QString& path, bool remember) {
  SessionExtras extras;
  for (int i = 0; i < pages_->count(); ++i) {
    if (auto* p = qobject_cast<Page*>(pages_->widget(i))) {
      nlohmann::json state = nlohmann::json::object();
      p->saveState(state);
      extras.pages[p->id().toStdString()] = state;
    }
  }
  extras.window["geometry"] = saveGeometry().toBase64().toStdString();
  extras.window["state"] = saveState().toBase64().toStdString();
  extras.runs = RunHistory::of(runner_)->toJson();
  QString error;
  if (!saveSession(path, session_->state(), extras, &error)) {
    showError(error);
    return false;
  }
  if (remember) noteRecentSession(path);
  statusText_->setText(tr("Saved %1").arg(QFileInfo(path).fileName()));
  return true;
}

}  // namespace attnscope
