// The window's shell: the sequence and variant panels in a dock, the page
// stack (pages come from the registry), menus and shortcuts, and the status
// bar with progress and Cancel. It keeps the session model in step with the
// panels; pages draw the results they subscribe to.
#pragma once

#include <QFont>
#include <QMainWindow>
#include <QString>
#include <QStringList>
#include <functional>

#include "app_options.hpp"
#include "job_runner.hpp"
#include "session_model.hpp"

class QAction;
class QDockWidget;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTimer;

namespace attnscope {

class LessonBar;
class LessonPlayer;
class Page;
class SequencePanel;
class VariantPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const AppOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  JobRunner* runner() const { return runner_; }
  SessionModel* session() const { return session_; }
  SequencePanel* sequencePanel() const { return sequence_; }
  VariantPanel* variantPanel() const { return variants_; }
  Page* page(const QString& id) const;
  Page* currentPage() const;
  // Shows a page by id; false when there is none.
  bool showPage(const QString& id);
  QStringList pageIds() const;
  // The message shown for the last failure (empty once cleared).
  QString errorText() const;
  QLabel* statusLabel() const { return statusText_; }
  LessonPlayer* lessonPlayer() const { return lessons_; }
  LessonBar* lessonBar() const { return lessonBar_; }
  bool presentationMode() const { return presentation_; }
  // True when nothing the window shows is still being computed or about to be
  // (no batch, sweep or region running, no rerun pending).
  bool idle() const;

 public slots:
  // Runs what the current page shows (the compare batch on Compare, a sweep on Scaling, ...).
  void runNow();
  // The compare batch of the session as it is.
  void runCompare();
  void cancelRuns();
  // Uses a file as the input and runs; a file that fails to load leaves the
  // previous input and results in place and says why.
  void openFile(const QString& path);
  void chooseFile();
  void nextPage();
  void exportView(const QString& path);
  void showError(const QString& message);
  // Starts a built-in lesson (by id) or a lesson file at a step (0-based);
  // false, with the reason shown, when it cannot be read.
  bool startLesson(const QString& idOrPath, int step = 0);
  // Full screen, the settings dock hidden, large type; off restores the window.
  void setPresentationMode(bool on);
  // Session files: the state, each page's own state and the window layout.
  // remember: list the file among the recent sessions.
  bool loadSession(const QString& path, bool remember = true);
  bool writeSession(const QString& path, bool remember = true);
  void clearError();
  // Restarts in another language: the session (each page's state, the
  // layout, the run history's specs) saved to a file, the program started
  // again on it with --lang and --restart-from, this window closed. False,
  // with the reason shown, when the session cannot be saved or the program
  // cannot start (this window then stays as it is).
  bool restartIn(const QString& language);
  // The window as it is now (session, page, the page's settings) as the next
  // step of the lesson made in the window (Lessons page); false when there is
  // no page or no title. Notes (an input file a lesson cannot hold) go to the status bar.
  bool recordLessonStep(const QString& title, const QString& text);

 public:
  // How a restart starts the program; tests put a recorder in its place.
  using Launcher = std::function<bool(const QString& program, const QStringList& arguments)>;
  void setLauncher(Launcher launcher) { launcher_ = std::move(launcher); }

 signals:
  void errorShown(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildDock();
  void buildPages();
  void buildMenus();
  void buildStatusBar();
  void connectRunner();
  SessionState initialState(const AppOptions& options) const;
  // Panels -> session (then a debounced rerun).
  void panelsChanged();
  // Session -> panels (a session file, a reverted input).
  void sessionChanged();
  void chooseExport(const QString& format);
  void openSessionFile();
  void saveSessionFile();
  // View > Language: saves the choice and asks whether to restart in it now.
  void chooseLanguage(const QString& code);
  // View > Add View to Lesson: asks for the step's title and text.
  void askLessonStep();

  AppOptions options_;
  JobRunner* runner_;
  SessionModel* session_;
  SequencePanel* sequence_ = nullptr;
  VariantPanel* variants_ = nullptr;
  QTabWidget* pages_ = nullptr;
  QLabel* errorBanner_ = nullptr;
  QLabel* statusText_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QAction* autoRun_ = nullptr;
  QAction* presentAction_ = nullptr;
  LessonPlayer* lessons_ = nullptr;
  LessonBar* lessonBar_ = nullptr;
  QDockWidget* dock_ = nullptr;
  bool presentation_ = false;
  bool wasMaximized_ = false;
  QFont normalFont_;
  QTimer* rerun_ = nullptr;
  bool syncing_ = false;
  // A file being opened: the state to go back to when it fails to load.
  JobId pendingJob_ = 0;
  QString pendingFile_;
  SessionState beforeFile_;
  Launcher launcher_;
};

}  // namespace attnscope
