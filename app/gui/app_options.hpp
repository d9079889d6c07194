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
  QString language;                  // --lang en|zh_CN: the interface language (empty: the saved choice, else the system's)
  bool helpRequested = false;        // --help: print appUsage() and exit 0
};

// Parses arguments (without argv[0]); on error returns nullopt and sets *error.
std::optional<AppOptions> parseAppOptions(const QStringList& args, QString* error);
QString appUsage();

}  // namespace attnscope
