#include "lessons_page.hpp"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "lesson_player.hpp"
#include "lesson_step_dialog.hpp"
#include "engine_message.hpp"

namespace attnscope {

LessonsPage::LessonsPage(const PageContext& context, QWidget* parent) : Page(parent), context_(context) {
  auto* layout = new QHBoxLayout(this);
  auto* left = new QVBoxLayout;
  left->addWidget(new QLabel(tr("Lessons"), this));
  list_ = new QListWidget(this);
  left->addWidget(list_, 1);
  auto* open = new QPushButton(tr("Open lesson file…"), this);
  open->setToolTip(tr("A lesson is a JSON file: steps with text, a preset and the page to show (docs/lessons.md)"));
  left->addWidget(open);
  auto* own = new QLabel(tr("Your own lesson: set up a page, then View → Add View to Lesson… (Ctrl+Shift+L). Its steps appear here to play and save."), this);
  own->setWordWrap(true);
  left->addWidget(own);
  layout->addLayout(left, 1);

  auto* right = new QVBoxLayout;
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  right->addWidget(summary_);
  right->addWidget(new QLabel(tr("Steps"), this));
  steps_ = new QListWidget(this);
  right->addWidget(steps_, 1);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  right->addWidget(status_);
  start_ = new QPushButton(tr("Start lesson"), this);
  start_->setToolTip(tr("Runs the lesson from the chosen step; the lesson bar above the pages steps through it (Alt+Right, Alt+Left). F11: presentation mode"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_, 1);
  save_ = new QPushButton(tr("Save lesson…"), this);
  save_->setToolTip(tr("Writes the lesson as a JSON file to edit and share (docs/lessons.md)"));
  buttons->addWidget(save_);
  copy_ = new QPushButton(tr("Copy to my lesson"), this);
  copy_->setToolTip(tr("Adds this lesson's steps to your own lesson, to edit, reorder and save"));
  buttons->addWidget(copy_);
  editStep_ = new QPushButton(tr("Edit step…"), this);
  editStep_->setToolTip(tr("The chosen step's title and text (its input, variants and page stay)"));
  buttons->addWidget(editStep_);
  stepUp_ = new QPushButton(tr("Move up"), this);
  buttons->addWidget(stepUp_);
  stepDown_ = new QPushButton(tr("Move down"), this);
  buttons->addWidget(stepDown_);
  removeStep_ = new QPushButton(tr("Remove step"), this);
  removeStep_->setToolTip(tr("Removes the chosen step from your own lesson"));
  buttons->addWidget(removeStep_);
  right->addLayout(buttons);
  layout->addLayout(right, 2);

  for (Lesson& lesson : builtInLessons()) {
    list_->addItem(QString::fromStdString(lesson.title.in(language())));
    lessons_.push_back(std::move(lesson));
  }
  connect(list_, &QListWidget::currentRowChanged, this, &LessonsPage::showLesson);
  connect(steps_, &QListWidget::itemDoubleClicked, this, [this] { startSelected(); });
  connect(start_, &QPushButton::clicked, this, &LessonsPage::startSelected);
  connect(open, &QPushButton::clicked, this, &LessonsPage::chooseFile);
  connect(save_, &QPushButton::clicked, this, &LessonsPage::chooseSavePath);
  connect(removeStep_, &QPushButton::clicked, this, [this] { removeDraftStep(steps_->currentRow()); });
  connect(copy_, &QPushButton::clicked, this, [this] { copyToDraft(list_->currentRow()); });
  connect(stepUp_, &QPushButton::clicked, this, [this] { moveDraftStep(steps_->currentRow(), -1); });
  connect(stepDown_, &QPushButton::clicked, this, [this] { moveDraftStep(steps_->currentRow(), +1); });
  connect(editStep_, &QPushButton::clicked, this, [this] {
    const int step = steps_->currentRow();
    if (draft_ < 0 || step < 0 || step >= static_cast<int>(lessons_[static_cast<size_t>(draft_)].steps.size())) return;
    const LessonStep& s = lessons_[static_cast<size_t>(draft_)].steps[static_cast<size_t>(step)];
    askStepText(this, tr("Edit step"), tr("Step %1 of your lesson: its title and text.").arg(step + 1), tr("Save"), QString::fromStdString(s.title.in(language())),
                QString::fromStdString(s.text.in(language())), [this, step](const QString& title, const QString& text) { editDraftStep(step, title, text); });
  });
  connect(list_, &QListWidget::currentRowChanged, this, &LessonsPage::updateButtons);
  if (!lessons_.empty()) list_->setCurrentRow(0);
  updateButtons();
}

void LessonsPage::updateButtons() {
  const int row = list_->currentRow();
  const bool chosen = row >= 0 && row < static_cast<int>(lessons_.size());
  start_->setEnabled(chosen && context_.lessons);
  save_->setEnabled(chosen);
  copy_->setEnabled(chosen && row != draft_);
  for (QPushButton* b : {removeStep_, editStep_, stepUp_, stepDown_}) {
    b->setVisible(draft_ >= 0);
    b->setEnabled(chosen && row == draft_);
  }
}

void LessonsPage::addStep(const LessonStep& step) { appendSteps({step}, nullptr); }

void LessonsPage::appendSteps(const std::vector<LessonStep>& steps, const Lesson* titleFrom) {
  if (steps.empty()) return;
  if (draft_ < 0) {
    Lesson lesson;
    lesson.id = "my-lesson";
    lesson.title.byLanguage[language()] = tr("My lesson").toStdString();
    if (titleFrom) {
      lesson.title = titleFrom->title;
      lesson.summary = titleFrom->summary;
    }
    lessons_.push_back(std::move(lesson));
    list_->addItem(QString());
    draft_ = static_cast<int>(lessons_.size()) - 1;
  }
  auto& mine = lessons_[static_cast<size_t>(draft_)].steps;
  mine.insert(mine.end(), steps.begin(), steps.end());
  list_->setCurrentRow(draft_);
  showDraft(static_cast<int>(mine.size()) - 1);
}

void LessonsPage::showDraft(int step) {
  const Lesson& lesson = lessons_[static_cast<size_t>(draft_)];
  list_->item(draft_)->setText(tr("%1 (%n step(s), not saved)", nullptr, static_cast<int>(lesson.steps.size())).arg(QString::fromStdString(lesson.title.in(language()))));
  showLesson(draft_);
  steps_->setCurrentRow(std::clamp(step, 0, steps_->count() - 1));
  updateButtons();
}

void LessonsPage::dropDraft() {
  if (draft_ < 0) return;
  lessons_.erase(lessons_.begin() + draft_);
  delete list_->takeItem(draft_);
  draft_ = -1;
  updateButtons();
}

void LessonsPage::removeDraftStep(int step) {
  if (draft_ < 0) return;
  Lesson& lesson = lessons_[static_cast<size_t>(draft_)];
  if (step < 0 || step >= static_cast<int>(lesson.steps.size())) return;
  lesson.steps.erase(lesson.steps.begin() + step);
  if (lesson.steps.empty()) dropDraft();
  else showDraft(step);
}

void LessonsPage::saveState(nlohmann::json& state) const {
  if (draft_ >= 0) state["draft"] = nlohmann::json::parse(lessonToJson(lessons_[static_cast<size_t>(draft_)]));
}

void LessonsPage::restoreState(const nlohmann::json& state) {
  if (!state.is_object() || !state.contains("draft")) return;
  try {
    const Lesson draft = parseLesson(state["draft"].dump(), "session: your lesson");
    dropDraft();  // the session's lesson replaces the one made here
    appendSteps(draft.steps, &draft);
  } catch (const Error& e) {
    status_->setText(tr("Your lesson in the session could not be read: %1").arg(engineMessage(e.what())));
  }
}

void LessonsPage::copyToDraft(int row) {
  if (row < 0 || row >= static_cast<int>(lessons_.size()) || row == draft_) return;
  const Lesson source = lessons_[static_cast<size_t>(row)];  // a copy: adding the draft may move the list
  appendSteps(source.steps, &source);  // a new lesson takes its title
  status_->setText(tr("%n step(s) of “%1” added to your lesson", nullptr, static_cast<int>(source.steps.size())).arg(QString::fromStdString(source.title.in(language()))));
}

void LessonsPage::editDraftStep(int step, const QString& title, const QString& text) {
  if (draft_ < 0 || title.trimmed().isEmpty()) return;
  Lesson& lesson = lessons_[static_cast<size_t>(draft_)];
  if (step < 0 || step >= static_cast<int>(lesson.steps.size())) return;
  LessonStep& s = lesson.steps[static_cast<size_t>(step)];
  s.title.byLanguage[language()] = title.trimmed().toStdString();
  s.text.byLanguage[language()] = (text.trimmed().isEmpty() ? title : text).trimmed().toStdString();
  showDraft(step);
}

void LessonsPage::moveDraftStep(int step, int delta) {
  if (draft_ < 0) return;
  auto& steps = lessons_[static_cast<size_t>(draft_)].steps;
  const int to = step + delta;
  if (step < 0 || to < 0 || step >= static_cast<int>(steps.size()) || to >= static_cast<int>(steps.size())) return;
  std::swap(steps[static_cast<size_t>(step)], steps[static_cast<size_t>(to)]);
  showDraft(to);
}

bool LessonsPage::saveLesson(int row, const QString& path) {
  if (row < 0 || row >= static_cast<int>(lessons_.size())) return false;
  try {
    Lesson lesson = lessons_[static_cast<size_t>(row)];
    // The file's name is the lesson's id, as for the shipped ones.
    lesson.id = QFileInfo(path).completeBaseName().toStdString();
    saveLessonFile(lesson, path.toStdString());
    status_->setText(tr("Saved %1").arg(QFileInfo(path).fileName()));
    if (row == draft_) list_->item(row)->setText(QString::fromStdString(lesson.title.in(language())));
    return true;
  } catch (const Error& e) {
    status_->setText(tr("Could not save the lesson: %1").arg(engineMessage(e.what())));
    emit message(status_->text());
    return false;
  }
}

void LessonsPage::chooseSavePath() {
  const int row = list_->currentRow();
  if (row < 0 || row >= static_cast<int>(lessons_.size())) return;
  const QString name = QString::fromStdString(lessons_[static_cast<size_t>(row)].id.empty() ? std::string("lesson") : lessons_[static_cast<size_t>(row)].id) + ".json";
  const QString path = QFileDialog::getSaveFileName(this, tr("Save lesson"), name, tr("Lessons (*.json)"));
  if (!path.isEmpty()) saveLesson(row, path);
}

std::string LessonsPage::language() const { return context_.lessons ? context_.lessons->language().toStdString() : std::string("en"); }

void LessonsPage::showLesson(int row) {
  steps_->clear();
  if (row < 0 || row >= static_cast<int>(lessons_.size())) {
    summary_->clear();
    return;
  }
  const std::string language = this->language();
  const Lesson& lesson = lessons_[static_cast<size_t>(row)];
  summary_->setText(QString::fromStdString(lesson.summary.empty() ? std::string() : lesson.summary.in(language)));
  for (size_t k = 0; k < lesson.steps.size(); ++k)
    steps_->addItem(tr("%1. %2  (%3)").arg(k + 1).arg(QString::fromStdString(lesson.steps[k].title.in(language)), QString::fromStdString(lesson.steps[k].view)));
  steps_->setCurrentRow(0);
}

void LessonsPage::startSelected() {
  const int row = list_->currentRow();
  if (!context_.lessons || row < 0 || row >= static_cast<int>(lessons_.size())) return;
  context_.lessons->start(lessons_[static_cast<size_t>(row)], std::max(0, steps_->currentRow()));
}

bool LessonsPage::openLesson(const QString& path) {
  try {
    Lesson lesson = loadLessonFile(path.toStdString());
    list_->addItem(QString::fromStdString(lesson.title.in(language())));
    lessons_.push_back(std::move(lesson));
    list_->setCurrentRow(list_->count() - 1);
    start_->setEnabled(context_.lessons != nullptr);
    status_->clear();
    return true;
  } catch (const Error& e) {
    status_->setText(tr("Could not open the lesson: %1").arg(engineMessage(e.what())));
    emit message(status_->text());
    return false;
  }
}

void LessonsPage::chooseFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open lesson"), QString(), tr("Lessons (*.json);;All files (*)"));
  if (!path.isEmpty()) openLesson(path);
}

Page* makeLessonsPage(const PageContext& context, QWidget* parent) { return new LessonsPage(context, parent); }

}  // namespace attnscope
