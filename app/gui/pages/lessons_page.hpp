// Lessons page: the lessons shipped with AttnScope, any opened from a file,
// and one made in the window, each with its summary and steps; Start runs one
// in the lesson bar (LessonPlayer), from its first step or the one picked;
// Save writes one as a file.
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
  // The window's own lesson goes into the session, so it survives a restart.
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;

  const std::vector<Lesson>& lessons() const { return lessons_; }
  QListWidget* lessonList() const { return list_; }
  QListWidget* stepList() const { return steps_; }
  // Adds a lesson file to the list and selects it; false with the reason shown.
  bool openLesson(const QString& path);
  // Starts the selected lesson at the selected step.
  void startSelected();
  // The lesson made in the window (View > Add View to Lesson): a step added
  // at its end, created with the first one; it plays and saves as any other.
  void addStep(const LessonStep& step);
  int draftRow() const { return draft_; }
  // Removes a step of the window's lesson (the last one removes the lesson).
  void removeDraftStep(int step);
  // A step's title and text in the window's language (its preset and page stay).
  void editDraftStep(int step, const QString& title, const QString& text);
  // Moves a step one place earlier (-1) or later (+1).
  void moveDraftStep(int step, int delta);
  // A shipped or opened lesson's steps added to the window's own lesson (a
  // new one takes the lesson's title), to edit, reorder and save as one's own.
  void copyToDraft(int row);
  // Writes a lesson as a file; false with the reason shown.
  bool saveLesson(int row, const QString& path);

 private:
  void showLesson(int row);
  // The language lesson texts are listed in (the player's).
  std::string language() const;
  void chooseFile();
  void chooseSavePath();
  void updateButtons();
  // Steps added to the window's own lesson, made (titled as titleFrom, or "My lesson") when there is none.
  void appendSteps(const std::vector<LessonStep>& steps, const Lesson* titleFrom);
  // The window's own lesson listed ("My lesson (3 steps, not saved)") and shown at a step.
  void showDraft(int step);
  void dropDraft();

  PageContext context_;
  std::vector<Lesson> lessons_;
  QListWidget* list_;
  QListWidget* steps_;
  QLabel* summary_;
  QLabel* status_;
  QPushButton* start_;
  QPushButton* save_;
  QPushButton* removeStep_;
  QPushButton* editStep_;
  QPushButton* copy_;
  QPushButton* stepUp_;
  QPushButton* stepDown_;
  int draft_ = -1;  // row of the window's own lesson, -1 until a step is added
};

Page* makeLessonsPage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
