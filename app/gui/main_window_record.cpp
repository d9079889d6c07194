// Lessons made in the window: View > Add View to Lesson asks for a title and
// a text, and the page as it is now becomes the next step of the Lessons
// page's own lesson (lesson_recorder.hpp).

#include <QLabel>

#include <nlohmann/json.hpp>

#include "language.hpp"
#include "lesson_recorder.hpp"
#include "lesson_step_dialog.hpp"
#include "main_window.hpp"
#include "pages/lessons_page.hpp"

namespace attnscope {

bool MainWindow::recordLessonStep(const QString& title, const QString& text) {
  Page* shown = currentPage();
  auto* lessons = qobject_cast<LessonsPage*>(page("lessons"));
  if (!shown || !lessons || title.trimmed().isEmpty()) return false;
  nlohmann::json state = nlohmann::json::object();
  shown->saveState(state);
  const RecordedStep recorded = recordStep(session_->state(), shown->id(), state, title, text.trimmed().isEmpty() ? title : text, currentLanguage());
  lessons->addStep(recorded.step);
  const int count = static_cast<int>(lessons->lessons()[static_cast<size_t>(lessons->draftRow())].steps.size());
  QString said = tr("Step %1 of your lesson: %2 (Lessons page: play or save it)").arg(count).arg(title.trimmed());
  if (!recorded.notes.isEmpty()) said += "; " + recorded.notes.join("; ");
  statusLabel()->setText(said);
  return true;
}

void MainWindow::askLessonStep() {
  askStepText(this, tr("Add View to Lesson"),
              tr("The %1 page as it is now, with the session's input and variants, becomes the next step.").arg(currentPage() ? currentPage()->title() : QString()),
              tr("Add Step"), QString(), QString(), [this](const QString& title, const QString& text) { recordLessonStep(title, text); });
}

}  // namespace attnscope
