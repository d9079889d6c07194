// A lesson made in the window: what it shows now becomes a step (the input
// and its length and features, causal, the compared variants with their
// parameters, the page and the page's own settings), with a title and a text
// in the window's language. The Lessons page keeps the steps as a lesson of
// its own, plays it and saves it as a file (docs/lessons.md) to edit and share.
#pragma once

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include "lesson/lesson.hpp"
#include "session_model.hpp"

namespace attnscope {

struct RecordedStep {
  LessonStep step;
  QStringList notes;  // what the step cannot hold (an input file), said to the user
};

// The step for a session shown on a page. language: the key the title and
// text are stored under ("en", "zh_CN").
RecordedStep recordStep(const SessionState& state, const QString& page, const nlohmann::json& pageState, const QString& title, const QString& text,
                        const QString& language);

}  // namespace attnscope
