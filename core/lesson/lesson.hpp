// A lesson (DESIGN §7): steps, each with a title and text in one or more
// languages, a preset (the input, its length and features, the variants with
// their parameters) and the view to show. Read from JSON (docs/lessons.md);
// every problem names the file, the step and the field. The engine knows
// nothing of pages: the view is a name the application checks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attention/variant.hpp"

namespace attnscope {

// Text by language ("en", "zh_CN", ...); "en" is the fallback.
struct LocalText {
  std::map<std::string, std::string> byLanguage;
  // The text in `language` ("zh_CN" also matches "zh"), else English, else any.
  std::string in(const std::string& language) const;
  bool empty() const { return byLanguage.empty(); }
};

struct LessonPreset {
  std::optional<std::string> sample;  // built-in sample ("document", "dna", "timeseries")
  std::optional<int64_t> n;
  std::optional<int> heads, d;
  std::optional<bool> causal;
  std::vector<AttentionSpec> variants;  // compared, in order (the first is the primary one); empty: keep the current ones
};

struct LessonStep {
  LocalText title, text;
  LessonPreset preset;
  std::string view = "compare";  // the page to show
  // The page's own settings as its session state takes them ({"variant":
  // "bigbird"} for the explorer, {"lengths": "256:4096"} for scaling), as JSON.
  std::string pageState;
  bool run = false;              // start the view's own work (a sweep, say) on arriving
};

struct Lesson {
  std::string id;
  LocalText title, summary;
  std::vector<LessonStep> steps;
};

// Parses a lesson; source names it in errors (a path or ":lessons/x.json").
// Throws Error(Format) for malformed JSON or fields, naming the step and
// field; variants and parameters are checked against the registry.
Lesson parseLesson(const std::string& json, const std::string& source);
// Reads and parses a file (at most 1 MiB).
Lesson loadLessonFile(const std::string& path);
// The lesson as parseLesson reads it (parseLesson(lessonToJson(l)) gives l
// back); parameters are written where they differ from the variant's default.
std::string lessonToJson(const Lesson& lesson);
// Writes lessonToJson to a file; throws Error(Io) naming it.
void saveLessonFile(const Lesson& lesson, const std::string& path);

}  // namespace attnscope
