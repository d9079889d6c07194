#include "engine_text.hpp"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

namespace attnscope {

QString engineText(const std::string& text) {
  if (text.empty()) return QString();
  return QCoreApplication::translate("engine", text.c_str());
}

QString paramAllowedText(const ParamSpec& spec) {
  const QString allowed = QString::fromStdString(spec.allowed());
  switch (spec.type) {
    case ParamType::Int:
    case ParamType::Float: return allowed;
    case ParamType::Bool: return QCoreApplication::translate("attnscope::EngineText", "true or false");
    case ParamType::Enum: {
      QStringList choices;
      for (const std::string& c : spec.choices) choices << QString::fromStdString(c);
      return QCoreApplication::translate("attnscope::EngineText", "one of %1").arg(choices.join(", "));
    }
    case ParamType::IndexList:
      // core's text ends with the element range, "[min, max]".
      return QCoreApplication::translate("attnscope::EngineText", "comma-separated indices in %1").arg(allowed.mid(allowed.lastIndexOf('[')));
    case ParamType::String: return QCoreApplication::translate("attnscope::EngineText", "any text");
  }
  return allowed;
}

QString engineProgressText(const std::string& text) {
  const QString t = QString::fromStdString(text);
  static const QRegularExpression atLength(QStringLiteral("^(.+) at n = (\\d+)$")), numbered(QStringLiteral("^(warm-up|repeat) (\\d+)$"));
  if (const auto m = atLength.match(t); m.hasMatch()) {
    QString what = m.captured(1);
    if (what == "input") what = QCoreApplication::translate("attnscope::EngineText", "input");
    else if (what == "dense reference") what = QCoreApplication::translate("attnscope::EngineText", "dense reference");
    return QCoreApplication::translate("attnscope::EngineText", "%1 at n = %2").arg(what, m.captured(2));
  }
  if (const auto m = numbered.match(t); m.hasMatch())
    return (m.captured(1) == "warm-up" ? QCoreApplication::translate("attnscope::EngineText", "warm-up %1")
                                       : QCoreApplication::translate("attnscope::EngineText", "repeat %1"))
        .arg(m.captured(2));
  if (t == "loading input") return QCoreApplication::translate("attnscope::EngineText", "loading input");
  if (t == "done") return QCoreApplication::translate("attnscope::EngineText", "done");
  return t;
}

QString paramToolTip(const ParamSpec& spec) {
  const QString allowed = paramAllowedText(spec);
  if (spec.unit.empty()) return QCoreApplication::translate("attnscope::EngineText", "%1 (%2)").arg(engineText(spec.help), allowed);
  return QCoreApplication::translate("attnscope::EngineText", "%1 (%2, %3)").arg(engineText(spec.help), allowed, engineText(spec.unit));
}

}  // namespace attnscope
