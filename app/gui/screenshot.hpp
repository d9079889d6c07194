// --screenshot FILE.png --view PAGE: shows the page, waits for its results
// (starting its own work when it has any), saves the window and exits 0; a
// failure exits non-zero with the reason on stderr.
#pragma once

#include <QString>

namespace attnscope {

class MainWindow;

// Arms the window; returns false (with *error) when the page does not exist.
bool scheduleScreenshot(MainWindow& window, const QString& path, const QString& view, QString* error);

}  // namespace attnscope
