#include "lessons_page.hpp"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "common/error.hpp"
#include "lesson_player.hpp"
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
  right->addWidget(start_);
  layout->addLayout(right, 2);

  for (Lesson& lesson : builtInLessons()) {
    list_->addItem(QString::fromStdString(lesson.title.in(language())));
    lessons_.push_back(std::move(lesson));
  }
  connect(list_, &QListWidget::currentRowChanged, this, &LessonsPage::showLesson);
  connect(steps_, &QListWidget::itemDoubleClicked, this, [this] { startSelected(); });
  connect(start_, &QPushButton::clicked, this, &LessonsPage::startSelected);
  connect(open, &QPushButton::clicked, this, &LessonsPage::chooseFile);
  if (!lessons_.empty()) list_->setCurrentRow(0);
  start_->setEnabled(!lessons_.empty() && context_.lessons);
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
