// Command-line options of the GUI (the app opens on the built-in sample by default).
#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <string>
#include <vector>

#include "experiment/run.hpp"

namespace attnscope {

struct AppOptions {
  RunSpec spec;               // the first run
  QString screenshotPath;
  QString inputFile;          // --input FILE: open a file instead of the sample     // --screenshot FILE.png: save the window once the first map is drawn, then exit
  int mapHead = 0;
  std::vector<std::string> compare;  // --compare a,b,c: variants shown next to the primary one
};

// Parses arguments (without argv[0]); on error returns nullopt and sets *error.
std::optional<AppOptions> parseAppOptions(const QStringList& args, QString* error);
QString appUsage();

}  // namespace attnscope
