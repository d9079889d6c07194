// Lessons made in the window: View > Add View to Lesson asks for a title and
// a text, and the page as it is now becomes the next step of the Lessons
// page's own lesson (lesson_recorder.hpp).
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>

#include <nlohmann/json.hpp>

#include "language.hpp"
#include "lesson_recorder.hpp"
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
  auto* dialog = new QDialog(this);
  dialog->setObjectName("lessonStepDialog");
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(tr("Add View to Lesson"));
  auto* form = new QFormLayout(dialog);
  auto* intro = new QLabel(tr("The %1 page as it is now, with the session's input and variants, becomes the next step.").arg(currentPage() ? currentPage()->title() : QString()), dialog);
  intro->setWordWrap(true);
  form->addRow(intro);
  auto* title = new QLineEdit(dialog);
  title->setObjectName("stepTitle");
  auto* text = new QPlainTextEdit(dialog);
  text->setObjectName("stepText");
  text->setPlaceholderText(tr("What to look at, and what to try (shown in the lesson bar)"));
  form->addRow(tr("Title"), title);
  form->addRow(tr("Text"), text);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Add Step"));
  buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
  connect(title, &QLineEdit::textChanged, dialog, [buttons](const QString& t) { buttons->button(QDialogButtonBox::Ok)->setEnabled(!t.trimmed().isEmpty()); });
  connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, title, text] {
    recordLessonStep(title->text(), text->toPlainText());
    dialog->accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  form->addRow(buttons);
  dialog->resize(520, 320);
  dialog->open();
}

}  // namespace attnscope
