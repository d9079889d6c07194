// Lessons page: the lessons shipped with AttnScope and any opened from a
// file, each with its summary and steps; Start runs one in the lesson bar
// (LessonPlayer), from its first step or the one picked.
#pragma once

#include <vector>

#include "lesson/lesson.hpp"
#include "page.hpp"

class QLabel;
class QListWidget;
class QPushButton;

namespace attnscope {

class LessonsPage : public Page {
  Q_OBJECT

 public:
  LessonsPage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return "lessons"; }
  QString title() const override { return tr("Lessons"); }
  bool hasResults() const override { return !lessons_.empty(); }

  const std::vector<Lesson>& lessons() const { return lessons_; }
  QListWidget* lessonList() const { return list_; }
  QListWidget* stepList() const { return steps_; }
  // Adds a lesson file to the list and selects it; false with the reason shown.
  bool openLesson(const QString& path);
  // Starts the selected lesson at the selected step.
  void startSelected();

 private:
  void showLesson(int row);
  // The language lesson texts are listed in (the player's).
  std::string language() const;
  void chooseFile();

  PageContext context_;
  std::vector<Lesson> lessons_;
  QListWidget* list_;
  QListWidget* steps_;
  QLabel* summary_;
  QLabel* status_;
  QPushButton* start_;
};

Page* makeLessonsPage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
