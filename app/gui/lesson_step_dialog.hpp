// The small dialog that asks for a lesson step's title and text: for a new
// step (View > Add View to Lesson) and for editing one of the window's own
// lesson (Lessons page). It opens window-modal and calls back on OK.
#pragma once

#include <QString>
#include <functional>

class QWidget;

namespace attnscope {

// intro: a line above the fields; ok: the OK button's text. The dialog is
// named "lessonStepDialog", its fields "stepTitle" and "stepText" (tests find them).
void askStepText(QWidget* parent, const QString& caption, const QString& intro, const QString& ok, const QString& title, const QString& text,
                 std::function<void(const QString& title, const QString& text)> accepted);

}  // namespace attnscope
