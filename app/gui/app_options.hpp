// Command-line options of the GUI (the app opens on the built-in sample by
// default). The run flags are the CLI's, parsed by the same code (app/common).
#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <string>
#include <vector>

#include "experiment/run.hpp"

namespace attnscope {

struct AppOptions {
  RunSpec spec;                      // the first run (spec.inputFile/qkvFile set when a file was named)
  QString inputFile;                 // --input/--qkv FILE: the file to open instead of the sample
  QString screenshotPath;            // --screenshot FILE.png: save the page once its results are in, then exit
  QString view = "compare";          // --view PAGE: the page shown (and screenshot)
  QString sessionFile;               // --session FILE.attnscope: open a saved session
  int mapHead = 0;                   // --head H
  std::vector<std::string> compare;  // --compare a,b,c: variants shown next to the primary one
  QString lesson;                    // --lesson ID|FILE: start a lesson (built-in id or a JSON file)
  int lessonStep = 1;                // --step N: the lesson's step to start at (1-based)
  QString lessonShots;               // --lesson-shots DIR: save every step's page as DIR/step-NN.png, then exit
  bool presentation = false;         // --present: presentation mode (full screen, large type)
  QString language;                  // --lang en|zh_CN: the interface language (empty: the saved choice, else the system's)
  QString restartFrom;               // --restart-from FILE: the window restarting itself (another language): as a plain start, with FILE's session
  bool helpRequested = false;        // --help: print appUsage() and exit 0
};

// Parses arguments (without argv[0]); on error returns nullopt and sets *error.
std::optional<AppOptions> parseAppOptions(const QStringList& args, QString* error);
QString appUsage();

}  // namespace attnscope
