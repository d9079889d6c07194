// --screenshot FILE.png --view PAGE: shows the page, waits for its results
// (starting its own work when it has any), saves the window and exits 0; a
// failure exits non-zero with the reason on stderr.
#pragma once

#include <QString>

namespace attnscope {

class MainWindow;

// Arms the window; returns false (with *error) when the page does not exist.
bool scheduleScreenshot(MainWindow& window, const QString& path, const QString& view, QString* error);

// Saves every step of the running lesson, from the current one on, as
// DIR/step-NN.png once the step's page has its results and nothing is left
// to compute, then exits (status 1 with the reason when a step fails).
bool scheduleLessonShots(MainWindow& window, const QString& dir, QString* error);

}  // namespace attnscope
