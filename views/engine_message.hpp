// The engine's error messages and warnings in the window's language. core has no Qt and
// words its errors in English; each known shape of message is one English
// template here ("parameter '%1' = %2 is out of range: allowed %3"), matched
// with its %N parts as wildcards and rebuilt through tr(), so a translation
// can reorder the parts. Parts that are themselves messages (a loader's
// problem after "line 12:", the memory guard's "what") are translated in turn;
// names, numbers and quoted input stay as the engine wrote them. A message of
// no known shape is shown as it is.
#pragma once

#include <QString>
#include <QStringList>
#include <string>
#include <unordered_map>

namespace attnscope {

QString engineMessage(const std::string& message);
QString engineMessage(const QString& message);
QString engineMessage(const char* message);  // what(): UTF-8
// The translations of a few distinct strings asked for many times (a trace's
// span and thread names, while sorting a table or drawing a timeline frame):
// each worked out once, as text and as UTF-8. Clear it when the strings change.
class EngineMessageCache {
 public:
  const QString& text(const std::string& message) { return entry(message).text; }
  const std::string& utf8(const std::string& message) { return entry(message).utf8; }
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    QString text;
    std::string utf8;
  };
  const Entry& entry(const std::string& message);
  std::unordered_map<std::string, Entry> entries_;
};

// The English templates, in matching order (tests hold every one to a real message).
QStringList engineMessageShapes();
// The templates a message's translation used, its own first, then those of
// its parts; empty when it has no known shape.
QStringList engineMessageShapesUsed(const QString& message);

}  // namespace attnscope
