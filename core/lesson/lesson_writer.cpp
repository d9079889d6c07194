// Lessons written back as JSON, in the format parseLesson reads (docs/lessons.md):
// what the window records as steps becomes a file a teacher can edit and share.
#include <fstream>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "lesson/lesson.hpp"

namespace attnscope {

namespace {

using json = nlohmann::ordered_json;

json localText(const LocalText& text) {
  if (text.byLanguage.size() == 1 && text.byLanguage.count("en")) return text.byLanguage.at("en");
  json j = json::object();
  for (const auto& [language, value] : text.byLanguage) j[language] = value;
  return j;
}

// Values as the parameter's type has them, so the file reads naturally (64, not "64").
json paramValue(const ParamValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return std::get<std::vector<int64_t>>(value);
}

json variant(const AttentionSpec& spec) {
  const AttentionSpec defaults = makeSpec(spec.variant);
  json params = json::object();
  for (const ParamSpec& p : spec.params.schema())
    if (formatParamValue(spec.params.value(p.name)) != formatParamValue(defaults.params.value(p.name))) params[p.name] = paramValue(spec.params.value(p.name));
  if (params.empty()) return spec.variant;
  return json{{"id", spec.variant}, {"params", params}};
}

json preset(const LessonPreset& p) {
  json j = json::object();
  if (p.sample) j["sample"] = *p.sample;
  if (p.n) j["n"] = *p.n;
  if (p.heads) j["heads"] = *p.heads;
  if (p.d) j["d"] = *p.d;
  if (p.causal) j["causal"] = *p.causal;
  if (!p.variants.empty()) {
    j["variants"] = json::array();
    for (const AttentionSpec& s : p.variants) j["variants"].push_back(variant(s));
  }
  return j;
}

}  // namespace

std::string lessonToJson(const Lesson& lesson) {
  json j = json::object();
  if (!lesson.id.empty()) j["id"] = lesson.id;
  j["title"] = localText(lesson.title);
  if (!lesson.summary.empty()) j["summary"] = localText(lesson.summary);
  j["steps"] = json::array();
  for (const LessonStep& step : lesson.steps) {
    json s = json::object();
    s["title"] = localText(step.title);
    s["text"] = localText(step.text);
    const json p = preset(step.preset);
    if (!p.empty()) s["preset"] = p;
    s["view"] = step.view;
    if (!step.pageState.empty()) {
      const json state = json::parse(step.pageState, nullptr, false);
      if (state.is_object() && !state.empty()) s["page_state"] = state;
    }
    if (step.run) s["run"] = true;
    j["steps"].push_back(std::move(s));
  }
  return j.dump(2) + "\n";
}

void saveLessonFile(const Lesson& lesson, const std::string& path) {
  const std::string text = lessonToJson(lesson);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(ErrorKind::Io, path + ": cannot open for writing");
  out << text;
  if (!out.flush()) throw Error(ErrorKind::Io, path + ": write failed");
}

}  // namespace attnscope
