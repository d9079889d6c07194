#include "lesson_step_dialog.hpp"

#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>

namespace attnscope {

void askStepText(QWidget* parent, const QString& caption, const QString& intro, const QString& ok, const QString& title, const QString& text,
                 std::function<void(const QString& title, const QString& text)> accepted) {
  auto* dialog = new QDialog(parent);
  dialog->setObjectName("lessonStepDialog");
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(caption);
  auto* form = new QFormLayout(dialog);
  auto* introLabel = new QLabel(intro, dialog);
  introLabel->setWordWrap(true);
  form->addRow(introLabel);
  auto* titleEdit = new QLineEdit(title, dialog);
  titleEdit->setObjectName("stepTitle");
  auto* textEdit = new QPlainTextEdit(text, dialog);
  textEdit->setObjectName("stepText");
  textEdit->setPlaceholderText(QCoreApplication::translate("attnscope::LessonStepDialog", "What to look at, and what to try (shown in the lesson bar)"));
  form->addRow(QCoreApplication::translate("attnscope::LessonStepDialog", "Title"), titleEdit);
  form->addRow(QCoreApplication::translate("attnscope::LessonStepDialog", "Text"), textEdit);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
  buttons->button(QDialogButtonBox::Ok)->setText(ok);
  buttons->button(QDialogButtonBox::Ok)->setEnabled(!title.trimmed().isEmpty());
  QObject::connect(titleEdit, &QLineEdit::textChanged, dialog,
                   [buttons](const QString& t) { buttons->button(QDialogButtonBox::Ok)->setEnabled(!t.trimmed().isEmpty()); });
  QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, [dialog, titleEdit, textEdit, accepted] {
    accepted(titleEdit->text(), textEdit->toPlainText());
    dialog->accept();
  });
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  form->addRow(buttons);
  dialog->resize(520, 320);
  dialog->open();
}

}  // namespace attnscope
