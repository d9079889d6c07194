// Runs attnscope-cli (the path comes from the build) and collects its exit
// status and output, for the suites that drive the CLI end to end.
#pragma once

#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace attnscope::testing {

struct CliOutcome {
  int code = -1;  // -2: crashed; -1: timed out
  QString out, err;
};

inline CliOutcome runCli(const QStringList& args, int timeoutMs = 120000) {
  QProcess p;
  p.start(ATTNSCOPE_CLI, args);
  CliOutcome o;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    o.err = "timed out";
    return o;
  }
  o.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  o.out = QString::fromUtf8(p.readAllStandardOutput());
  o.err = QString::fromUtf8(p.readAllStandardError());
  return o;
}

// A JSON file the CLI wrote (null when it cannot be read).
inline nlohmann::json readJsonFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return nullptr;
  return nlohmann::json::parse(f.readAll().toStdString());
}

}  // namespace attnscope::testing
