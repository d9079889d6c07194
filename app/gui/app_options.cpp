#include "app_options.hpp"

#include <QCoreApplication>

#include "attention/registry.hpp"
#include "engine_text.hpp"
#include "language.hpp"
#include "spec_flags.hpp"

namespace attnscope {

QString appUsage() {
  return QCoreApplication::translate("AppOptions",
             "usage: attnscope [FLAGS]\n"
             "Opens the lab on the built-in sample (or a file) and runs the chosen variants.\n\n"
             "window flags:\n"
             "  --compare ID,ID,...  variants shown next to the primary one (--variant)\n"
             "  --head H             the head the maps show (default 0)\n"
             "  --view PAGE          compare (default), scaling, tradeoff, profile, runs, explorer, lessons\n"
             "  --session FILE       open a saved .attnscope session\n"
             "  --screenshot FILE    save the page once its results are in, then exit\n"
             "  --lesson ID|FILE     start a lesson: a built-in one (sparse-windows, low-rank,\n"
             "                       cost-scaling) or a lesson JSON file\n"
             "  --step N             the lesson step to start at (default 1)\n"
             "  --lesson-shots DIR   save every step of the lesson as DIR/step-NN.png, then exit\n"
             "  --present            presentation mode: full screen, large type (F11 toggles)\n"
             "  --lang LANG          interface language: en or zh_CN (default: the one chosen in\n"
             "                       View > Language, else the system's)\n"
             "  --restart-from FILE  used by the window when it restarts in another language:\n"
             "                       reopens as it was, with the session saved in FILE\n\n"
             "run flags (as attnscope-cli run):\n") +
         engineText(flags::specFlagsUsage());  // listed with the engine's words (attnscope-cli info --engine-strings)
}

std::optional<AppOptions> parseAppOptions(const QStringList& args, QString* error) {
  std::vector<std::string> items;
  for (const QString& a : args) items.push_back(a.toStdString());
  flags::Args reader(items);
  flags::SpecFlags specFlags;
  // The window runs once to show results; the CLI's defaults measure.
  specFlags.spec.repeats = 1;
  specFlags.spec.warmup = 0;
  AppOptions o;
  try {
    while (!reader.empty()) {
      const std::string flag = reader.nextFlag();
      if (flag == "--screenshot") o.screenshotPath = QString::fromStdString(reader.value(flag));
      else if (flag == "--view") o.view = QString::fromStdString(reader.value(flag));
      else if (flag == "--session") o.sessionFile = QString::fromStdString(reader.value(flag));
      else if (flag == "--restart-from") o.restartFrom = QString::fromStdString(reader.value(flag));
      else if (flag == "--lang") {
        const QString code = QString::fromStdString(reader.value(flag));
        if (normalizeLanguage(code).isEmpty())
          throw flags::UsageError{"--lang: unknown language '" + code.toStdString() + "' (languages: " + languageCodes().join(", ").toStdString() + ")"};
        o.language = code;
      } else if (flag == "--head") o.mapHead = static_cast<int>(reader.intValue(flag, limits::kMapHead));
      else if (flag == "--lesson") o.lesson = QString::fromStdString(reader.value(flag));
      else if (flag == "--step") o.lessonStep = static_cast<int>(reader.intValue(flag, limits::Range{1, 200}));
      else if (flag == "--lesson-shots") o.lessonShots = QString::fromStdString(reader.value(flag));
      else if (flag == "--present") o.presentation = true;
      else if (flag == "--compare") {
        const QString list = QString::fromStdString(reader.value(flag));
        for (const QString& id : list.split(',', Qt::SkipEmptyParts)) {
          const std::string name = id.trimmed().toStdString();
          if (!VariantRegistry::instance().find(name)) throw flags::UsageError{"--compare: unknown variant '" + name + "'"};
          o.compare.push_back(name);
        }
      } else if (flag == "--help" || flag == "-h") {
        o.helpRequested = true;
        return o;
      } else if (!flags::parseSpecFlag(flag, reader, specFlags)) {
        throw flags::UsageError{"unknown flag " + flag + " (see attnscope --help)"};
      }
    }
    o.spec = flags::finishSpec(specFlags);
  } catch (const flags::UsageError& e) {
    *error = QString::fromStdString(e.message);
    return std::nullopt;
  }
  if ((!o.lessonShots.isEmpty() || o.lessonStep != 1) && o.lesson.isEmpty()) {
    *error = QString("%1: needs --lesson").arg(o.lessonShots.isEmpty() ? "--step" : "--lesson-shots");
    return std::nullopt;
  }
  if (!o.lessonShots.isEmpty() && !o.screenshotPath.isEmpty()) {
    *error = QString("--lesson-shots: not with --screenshot (one saves every step, the other one page)");
    return std::nullopt;
  }
  if (!o.spec.inputFile.empty()) o.inputFile = QString::fromStdString(o.spec.inputFile);
  else if (!o.spec.qkvFile.empty()) o.inputFile = QString::fromStdString(o.spec.qkvFile);
  if (o.spec.inputFile.empty() && o.spec.qkvFile.empty() && o.mapHead >= o.spec.features.heads) {
    *error = QString("--head: %1 is not below --heads %2").arg(o.mapHead).arg(o.spec.features.heads);
    return std::nullopt;
  }
  return o;
}

}  // namespace attnscope
