// Steps through a lesson: each step's preset, on top of the presets of the
// steps before it, goes into the session (the batch reruns as after any edit), its page is shown with the page's own
// settings from the step, and the page's work starts where the step asks.
// The lesson bar (lesson_bar.hpp) shows the text; the Lessons page picks the
// lesson. Built-in lessons are compiled in from resources/lessons/.
#pragma once

#include <QObject>
#include <QString>
#include <functional>
#include <optional>
#include <vector>

#include "lesson/lesson.hpp"
#include "session_model.hpp"

namespace attnscope {

class Page;

// The session with a step's preset applied: the input, its length and
// features where the preset names them, and the compared variants in the
// preset's order (causal for all when the preset says so).
SessionState applyPreset(const SessionState& current, const LessonPreset& preset);

// The lessons shipped with the application, in file-name order.
std::vector<Lesson> builtInLessons();
// A built-in lesson by id, or a lesson file; throws Error naming the problem.
Lesson findLesson(const QString& idOrPath);

class LessonPlayer : public QObject {
  Q_OBJECT

 public:
  // showPage: shows a page by id and returns it (null when there is none).
  LessonPlayer(SessionModel* session, std::function<Page*(const QString&)> showPage, QObject* parent = nullptr);

  bool active() const { return lesson_.has_value(); }
  const Lesson* lesson() const { return lesson_ ? &*lesson_ : nullptr; }
  int step() const { return step_; }  // 0-based
  int stepCount() const { return lesson_ ? static_cast<int>(lesson_->steps.size()) : 0; }
  // The language lesson texts are shown in ("en", "zh_CN").
  QString language() const { return language_; }
  void setLanguage(const QString& language);
  QString text(const LocalText& t) const { return QString::fromStdString(t.in(language_.toStdString())); }

 public slots:
  // Starts a lesson at a step (0-based, clamped); a step whose page does not exist is an error shown in the bar.
  void start(const attnscope::Lesson& lesson, int step = 0);
  void next();
  void previous();
  void goTo(int step);
  void stop();

 signals:
  void stepChanged(int step);
  void started();
  void stopped();
  // A step could not be shown (an unknown page): the reason.
  void problem(const QString& message);

 private:
  void apply();

  SessionModel* session_;
  std::function<Page*(const QString&)> showPage_;
  std::optional<Lesson> lesson_;
  int step_ = 0;
  QString language_ = "en";
};

}  // namespace attnscope
