#include "main_window.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "language.hpp"
#include "lesson_bar.hpp"
#include "lesson_player.hpp"
#include "pages/page.hpp"
#include "sequence_panel.hpp"
#include "session_file.hpp"
#include "theme.hpp"
#include "variant_panel.hpp"
#include "engine_message.hpp"

namespace attnscope {

MainWindow::MainWindow(const AppOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options), runner_(new JobRunner(this)), session_(new SessionModel(this)), rerun_(new QTimer(this)) {
  setWindowTitle(tr("AttnScope"));
  setObjectName("mainWindow");
  setAcceptDrops(true);
  rerun_->setSingleShot(true);
  rerun_->setInterval(150);
  connect(rerun_, &QTimer::timeout, this, [this] {
    if (autoRun_->isChecked() || runner_->busy(JobKind::Compare)) runCompare();
  });

  session_->setState(initialState(options));
  lessons_ = new LessonPlayer(session_, [this](const QString& id) { return showPage(id) ? page(id) : nullptr; }, this);
  connect(lessons_, &LessonPlayer::problem, this, &MainWindow::showError);
  // Lesson texts in the window's language (English where a lesson has no other).
  lessons_->setLanguage(currentLanguage());
  buildDock();
  buildPages();
  buildMenus();
  buildStatusBar();
  connectRunner();
  sessionChanged();
  connect(session_, &SessionModel::changed, this, &MainWindow::sessionChanged);
  // An edit made on a page (the explorer) reruns the batch as a panel edit does.
  connect(session_, &SessionModel::edited, this, [this] {
    if (runner_->busy(JobKind::Compare)) runCompare();
    else rerun_->start();
  });
  if (!showPage(options.view)) showError(tr("--view: unknown page '%1' (pages: %2)").arg(options.view, pageIds().join(", ")));
  resize(1400, 900);
  if (!options.sessionFile.isEmpty()) QTimer::singleShot(0, this, [this, path = options.sessionFile] { loadSession(path); });
}

MainWindow::~MainWindow() {
  runner_->cancelAll();
  runner_->waitAll();
}

SessionState MainWindow::initialState(const AppOptions& options) const {
  SessionState state;
  state.base = options.spec;
  state.base.map.reset();
  state.mapHead = options.mapHead;
  state.page = options.view;
  std::vector<std::string> ids{options.spec.attention.variant};
  if (options.compare.empty()) {
    // Opening on one column says little: dense beside a sparse and a low-rank method.
    if (ids.front() == "dense") ids.insert(ids.end(), {"sliding_window", "linformer"});
    else ids.push_back("dense");
  }
  for (const std::string& id : options.compare)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  for (const std::string& id : ids) {
    state.variants.push_back(id);
    AttentionSpec spec = id == options.spec.attention.variant ? options.spec.attention : makeSpec(id);
    spec.causal = options.spec.attention.causal;
    state.variantSpecs.push_back(spec);
  }
  return state;
}

void MainWindow::buildDock() {
  auto* panel = new QWidget;
  auto* column = new QVBoxLayout(panel);
  auto* sequenceGroup = new QGroupBox(tr("Sequence"));
  auto* seqLayout = new QVBoxLayout(sequenceGroup);
  sequence_ = new SequencePanel;
  seqLayout->addWidget(sequence_);
  column->addWidget(sequenceGroup);
  auto* variantGroup = new QGroupBox(tr("Variants"));
  auto* varLayout = new QVBoxLayout(variantGroup);
  variants_ = new VariantPanel;
  varLayout->addWidget(variants_);
  column->addWidget(variantGroup, 1);

  auto* scroll = new QScrollArea;
  scroll->setWidget(panel);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* dock = dock_ = new QDockWidget(tr("Settings"));
  dock->setObjectName("settingsDock");
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  dock->setWidget(scroll);
  dock->setMinimumWidth(300);
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  connect(sequence_, &SequencePanel::changed, this, &MainWindow::panelsChanged);
  connect(sequence_, &SequencePanel::openRequested, this, &MainWindow::chooseFile);
  connect(variants_, &VariantPanel::changed, this, &MainWindow::panelsChanged);
}

void MainWindow::buildPages() {
  auto* center = new QWidget;
  auto* layout = new QVBoxLayout(center);
  layout->setContentsMargins(4, 4, 4, 4);
  errorBanner_ = new QLabel;
  errorBanner_->setObjectName("errorBanner");
  errorBanner_->setWordWrap(true);
  errorBanner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  errorBanner_->setStyleSheet("QLabel#errorBanner { background: #b3261e; color: white; padding: 6px; border-radius: 3px; }");
  errorBanner_->hide();
  layout->addWidget(errorBanner_);
  lessonBar_ = new LessonBar(lessons_);
  layout->addWidget(lessonBar_);
  pages_ = new QTabWidget;
  pages_->setObjectName("pages");
  pages_->setDocumentMode(true);
  const PageContext context{runner_, session_, lessons_};
  for (const PageEntry& entry : registeredPages()) {
    Page* page = entry.make(context, nullptr);
    pages_->addTab(page, page->title());
    connect(page, &Page::message, statusBar(), [this](const QString& text) { statusText_->setText(text); });
  }
  layout->addWidget(pages_, 1);
  setCentralWidget(center);
  connect(pages_, &QTabWidget::currentChanged, this, [this] {
    if (Page* p = currentPage()) {
      SessionState state = session_->state();
      state.page = p->id();
      syncing_ = true;
      session_->setState(state);
      syncing_ = false;
    }
  });
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::chooseFile);
  open->setShortcut(QKeySequence::Open);
  file->addSeparator();
  QAction* openSession = file->addAction(tr("Open &Session…"), this, &MainWindow::openSessionFile);
  openSession->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  QAction* saveSession = file->addAction(tr("Save Session…"), this, &MainWindow::saveSessionFile);
  saveSession->setShortcut(QKeySequence::Save);
  QMenu* recent = file->addMenu(tr("Recent Sessions"));
  connect(recent, &QMenu::aboutToShow, this, [this, recent] {
    recent->clear();
    for (const QString& path : recentSessions()) recent->addAction(QFileInfo(path).fileName(), this, [this, path] { loadSession(path); })->setToolTip(path);
    if (recent->isEmpty()) recent->addAction(tr("(none)"))->setEnabled(false);
  });
  file->addSeparator();
  file->addAction(tr("Export View as &PNG…"), this, [this] { chooseExport("png"); });
  file->addAction(tr("Export View as S&VG…"), this, [this] { chooseExport("svg"); });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < pages_->count(); ++i) {
    QAction* a = view->addAction(pages_->tabText(i), this, [this, i] { pages_->setCurrentIndex(i); });
    if (i < 9) a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
  }
  QAction* next = view->addAction(tr("&Next Page"), this, &MainWindow::nextPage);
  next->setShortcuts({QKeySequence(tr("Ctrl+PgDown")), QKeySequence(tr("Ctrl+Tab"))});
  view->addSeparator();
  presentAction_ = view->addAction(tr("&Presentation Mode"), this, [this](bool on) { setPresentationMode(on); });
  presentAction_->setCheckable(true);
  presentAction_->setShortcut(QKeySequence(Qt::Key_F11));
  presentAction_->setToolTip(tr("Full screen, settings hidden, large type: for teaching"));
  QAction* nextStep = view->addAction(tr("Next Lesson Step"), lessons_, &LessonPlayer::next);
  nextStep->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
  QAction* previousStep = view->addAction(tr("Previous Lesson Step"), lessons_, &LessonPlayer::previous);
  previousStep->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
  QAction* record = view->addAction(tr("Add View to Lesson…"), this, &MainWindow::askLessonStep);
  record->setObjectName("recordLessonStep");
  record->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
  record->setToolTip(tr("The page as it is now, with the session's input and variants, becomes the next step of your own lesson (Lessons page)"));
  view->addSeparator();
  auto* themes = new QActionGroup(this);
  // The choice is kept for the next start.
  QAction* light = view->addAction(tr("&Light Theme"), this, [] { applyTheme(Theme::Light), saveTheme(Theme::Light); });
  QAction* dark = view->addAction(tr("&Dark Theme"), this, [] { applyTheme(Theme::Dark), saveTheme(Theme::Dark); });
  light->setObjectName("theme_light");
  dark->setObjectName("theme_dark");
  for (QAction* a : {light, dark}) {
    a->setCheckable(true);
    themes->addAction(a);
  }
  (currentTheme() == Theme::Dark ? dark : light)->setChecked(true);
  view->addSeparator();
  // Each language named in itself; the window is built in one, so another is
  // offered as a restart that reopens the session as it is.
  QMenu* language = view->addMenu(tr("&Language"));
  auto* languages = new QActionGroup(this);
  for (const QString& code : languageCodes()) {
    QAction* a = language->addAction(languageName(code), this, [this, code] { chooseLanguage(code); });
    a->setObjectName("language_" + code);
    a->setCheckable(true);
    a->setChecked(code == currentLanguage());
    languages->addAction(a);
  }

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  QAction* runAction = run->addAction(tr("&Run"), this, &MainWindow::runNow);
  runAction->setShortcuts({QKeySequence(tr("Ctrl+R")), QKeySequence(Qt::Key_F5)});
  QAction* cancel = run->addAction(tr("&Cancel"), this, &MainWindow::cancelRuns);
  cancel->setShortcut(QKeySequence(Qt::Key_Escape));
  autoRun_ = run->addAction(tr("Run on &Every Change"));
  autoRun_->setCheckable(true);
  autoRun_->setChecked(true);
  autoRun_->setToolTip(tr("Rerun the compare batch whenever a setting changes (a running batch is always restarted)"));
}

void MainWindow::buildStatusBar() {
  statusText_ = new QLabel;
  statusText_->setObjectName("statusText");
  progress_ = new QProgressBar;
  progress_->setRange(0, 100);
  progress_->setMaximumWidth(220);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setEnabled(false);
  connect(cancelButton_, &QPushButton::clicked, this, &MainWindow::cancelRuns);
  statusBar()->addWidget(statusText_, 1);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancelButton_);
}

void MainWindow::connectRunner() {
  auto updateBusy = [this] {
    cancelButton_->setEnabled(runner_->busy(JobKind::Compare) || runner_->busy(JobKind::Sweep) || runner_->busy(JobKind::Region));
  };
  // The explorer's jobs follow a slider: they leave the progress bar and the status alone.
  connect(runner_, &JobRunner::jobStarted, this, [this, updateBusy](JobKind kind) {
    if (kind == JobKind::Explore) return;
    progress_->setValue(0);
    updateBusy();
  });
  connect(runner_, &JobRunner::progress, this, [this](JobKind kind, JobId, const QString& stage, double fraction) {
    if (kind == JobKind::Explore) return;
    statusText_->setText(stage);
    progress_->setValue(static_cast<int>(fraction * 100));
  });
  connect(runner_, &JobRunner::jobFinished, this, [this, updateBusy](JobKind kind, JobId id, bool cancelled) {
    if (kind == JobKind::Explore) return;
    updateBusy();
    if (id == pendingJob_) pendingJob_ = 0;
    // A replaced job ends cancelled while its successor already runs: say nothing.
    if (runner_->busy(kind)) return;
    statusText_->setText(cancelled ? tr("Cancelled; finished results stay") : tr("Done"));
    progress_->setValue(cancelled ? 0 : 100);
  });
  connect(runner_, &JobRunner::jobFailed, this, [this, updateBusy](JobKind kind, JobId id, const QString& message) {
    if (kind == JobKind::Explore) return;  // the explorer shows its own errors
    updateBusy();
    progress_->setValue(0);
    statusText_->setText(tr("Failed"));
    if (id == pendingJob_ && !pendingFile_.isEmpty()) {
      // The file did not load: back to the input that worked, results untouched.
      pendingJob_ = 0;
      const QString file = pendingFile_;
      pendingFile_.clear();
      syncing_ = true;
      session_->setState(beforeFile_);
      syncing_ = false;
      sessionChanged();
      sequence_->removeFile(file);
      showError(tr("Could not open %1: %2").arg(QFileInfo(file).fileName(), message));
      return;
    }
    showError(message);
  });
  connect(runner_, &JobRunner::inputReady, this, [this](JobId, std::shared_ptr<const PreparedInput> input) {
    if (!input) return;
    pendingFile_.clear();
    clearError();
    sequence_->showInput(*input);
  });
}

void MainWindow::panelsChanged() {
  if (syncing_) return;
  SessionState state = session_->state();
  sequence_->writeTo(state);
  state.variants = variants_->checkedVariants();
  state.variantSpecs.clear();
  try {
    for (const std::string& id : state.variants) state.variantSpecs.push_back(variants_->specFor(id));
  } catch (const Error& e) {
    showError(engineMessage(e.what()));
    return;
  }
  state.base.attention = state.variantSpecs.empty() ? makeSpec("dense") : state.variantSpecs.front();
  state.base.attention.causal = variants_->causal();
  state.base.attention.precision = variants_->precision();
  syncing_ = true;
  session_->setState(state);
  syncing_ = false;
  // A running batch is replaced at once (cancel is prompt); an idle one waits for the edits to settle.
  if (runner_->busy(JobKind::Compare)) runCompare();
  else rerun_->start();
}

void MainWindow::sessionChanged() {
  if (syncing_) return;
  const SessionState& state = session_->state();
  syncing_ = true;
  sequence_->readFrom(state);
  variants_->setCheckedVariants(state.variants);
  variants_->setCausal(state.base.attention.causal);
  variants_->setPrecision(state.base.attention.precision);
  for (const AttentionSpec& spec : state.variantSpecs) variants_->setSpec(spec);
  if (!state.variants.empty()) variants_->selectVariant(state.variants.front());
  syncing_ = false;
}

bool MainWindow::idle() const {
  return !rerun_->isActive() && !runner_->busy(JobKind::Compare) && !runner_->busy(JobKind::Sweep) && !runner_->busy(JobKind::Region);
}

bool MainWindow::startLesson(const QString& idOrPath, int step) {
  try {
    lessons_->start(findLesson(idOrPath), step);
    return true;
  } catch (const Error& e) {
    showError(tr("Could not start the lesson: %1").arg(engineMessage(e.what())));
    return false;
  }
}

void MainWindow::setPresentationMode(bool on) {
  if (on == presentation_) return;
  presentation_ = on;
  presentAction_->setChecked(on);
  if (on) {
    wasMaximized_ = isMaximized();
    normalFont_ = QApplication::font();
    QFont large = normalFont_;
    large.setPointSizeF((normalFont_.pointSizeF() > 0 ? normalFont_.pointSizeF() : 10.0) * 1.3);
    QApplication::setFont(large);
    dock_->hide();
    showFullScreen();
  } else {
    QApplication::setFont(normalFont_);
    dock_->show();
    if (wasMaximized_) showMaximized();
    else showNormal();
  }
  lessonBar_->setPresentation(on);
}

Page* MainWindow::page(const QString& id) const {
  for (int i = 0; i < pages_->count(); ++i)
    if (auto* p = qobject_cast<Page*>(pages_->widget(i)); p && p->id() == id) return p;
  return nullptr;
}

Page* MainWindow::currentPage() const { return qobject_cast<Page*>(pages_->currentWidget()); }

bool MainWindow::showPage(const QString& id) {
  Page* p = page(id);
  if (!p) return false;
  pages_->setCurrentWidget(p);
  return true;
}

QStringList MainWindow::pageIds() const {
  QStringList ids;
  for (int i = 0; i < pages_->count(); ++i)
    if (auto* p = qobject_cast<Page*>(pages_->widget(i))) ids << p->id();
  return ids;
}

QString MainWindow::errorText() const { return errorBanner_->isHidden() ? QString() : errorBanner_->text(); }

void MainWindow::runNow() {
  Page* p = currentPage();
  if (p && p->id() != "compare") p->runDefault();
  else runCompare();
}

void MainWindow::runCompare() {
  rerun_->stop();
  if (Page* compare = page("compare")) compare->runDefault();
}

void MainWindow::cancelRuns() {
  runner_->cancel(JobKind::Compare);
  runner_->cancel(JobKind::Sweep);
  runner_->cancel(JobKind::Region);
}

void MainWindow::openFile(const QString& path) {
  if (pendingFile_.isEmpty()) beforeFile_ = session_->state();
  pendingFile_ = path;
  sequence_->addFile(path);
  panelsChanged();
  runCompare();
  pendingJob_ = runner_->current(JobKind::Compare);
}

void MainWindow::chooseFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a sequence or Q/K/V"), QString(),
                                                    tr("Sequences and tensors (*.txt *.md *.fa *.fasta *.fna *.csv *.tsv *.npy *.safetensors);;All files (*)"));
  if (!path.isEmpty()) openFile(path);
}

void MainWindow::nextPage() { pages_->setCurrentIndex((pages_->currentIndex() + 1) % std::max(1, pages_->count())); }

void MainWindow::showError(const QString& message) {
  errorBanner_->setText(message);
  errorBanner_->setToolTip(message);
  errorBanner_->show();
  emit errorShown(message);
}

void MainWindow::clearError() {
  errorBanner_->clear();
  errorBanner_->hide();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const QMimeData* mime = event->mimeData();
  if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  event->acceptProposedAction();
  openFile(urls.first().toLocalFile());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  runner_->cancelAll();
  QMainWindow::closeEvent(event);
}

}  // namespace attnscope
