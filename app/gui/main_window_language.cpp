// The window's language switch. Every string is set with tr() as the window
// is built, so a new language is a new window: the session is saved, the
// program starts again in that language on it (layout, pages, parameters and
// the run history's specs as they were; results are computed again), and
// this window closes.
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>

#include "language.hpp"
#include "main_window.hpp"

namespace attnscope {

void MainWindow::chooseLanguage(const QString& code) {
  saveLanguage(code);
  if (code == currentLanguage()) {
    statusText_->setText(tr("The interface stays in %1").arg(languageName(code)));
    return;
  }
  statusText_->setText(tr("The interface will be in %1 from the next start").arg(languageName(code)));
  // Asked in both languages: the new one may be the only one the user reads.
  // (The second text is the new language's own words, fixed here, not tr().)
  const bool toChinese = code == "zh_CN";
  auto both = [toChinese](const QString& current, const char* english, const char* chinese) {
    return current + (toChinese ? QString::fromUtf8(chinese) : QString::fromUtf8(english));
  };
  const QString question = both(tr("Restart in %1 now? The session reopens as it is; its results are computed again.").arg(languageName(code)),
                                "\n\nRestart in English now? The session reopens as it is; its results are computed again.",
                                "\n\n现在以中文重新启动吗？会话将按原样重新打开，结果会重新计算。");
  auto* box = new QMessageBox(QMessageBox::Question, tr("Language"), question, QMessageBox::NoButton, this);
  box->setObjectName("restartQuestion");
  box->setAttribute(Qt::WA_DeleteOnClose);
  QPushButton* now = box->addButton(both(tr("Restart Now"), " / Restart Now", " / 立即重启"), QMessageBox::AcceptRole);
  now->setObjectName("restartNow");
  box->addButton(both(tr("Later"), " / Later", " / 稍后"), QMessageBox::RejectRole)->setObjectName("restartLater");
  box->setDefaultButton(now);
  connect(box, &QMessageBox::buttonClicked, this, [this, now, code](QAbstractButton* clicked) {
    if (clicked == now) QMetaObject::invokeMethod(this, [this, code] { restartIn(code); }, Qt::QueuedConnection);
  });
  box->open();  // window-modal, and nothing waits on it
}

bool MainWindow::restartIn(const QString& language) {
  const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  QDir().mkpath(dir);
  const QString path = dir + "/restart.attnscope";
  if (!writeSession(path, false)) return false;  // the layout travels in the session file too
  const QStringList arguments{"--lang", language, "--restart-from", path};
  const QString program = QCoreApplication::applicationFilePath();
  const bool started = launcher_ ? launcher_(program, arguments) : QProcess::startDetached(program, arguments);
  if (!started) {
    QFile::remove(path);
    showError(tr("Could not restart %1: the interface will be in %2 from the next start").arg(QFileInfo(program).fileName(), languageName(language)));
    return false;
  }
  close();
  return true;
}

}  // namespace attnscope
