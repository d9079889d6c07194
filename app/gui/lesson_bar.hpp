// The strip above the pages while a lesson runs: the lesson, the step and its
// text, Previous / Next / End. In presentation mode its type is large enough
// to read from the back of a room.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace attnscope {

class LessonPlayer;

class LessonBar : public QWidget {
  Q_OBJECT

 public:
  LessonBar(LessonPlayer* player, QWidget* parent = nullptr);

  void setPresentation(bool on);
  bool presentation() const { return presentation_; }
  QString titleText() const;
  QString bodyText() const;
  QPushButton* nextButton() const { return next_; }
  QPushButton* previousButton() const { return previous_; }
  QPushButton* endButton() const { return end_; }

 private:
  void showStep(int step);
  void applyFonts();

  LessonPlayer* player_;
  QLabel* where_;
  QLabel* title_;
  QLabel* body_;
  QPushButton* previous_;
  QPushButton* next_;
  QPushButton* end_;
  bool presentation_ = false;
};

}  // namespace attnscope
