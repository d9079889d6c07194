#include "lesson/lesson.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "experiment/limits.hpp"
#include "sequence/samples.hpp"

namespace attnscope {

namespace {

using nlohmann::json;

constexpr int64_t kMaxLessonBytes = int64_t{1} << 20;
constexpr size_t kMaxSteps = 200;

// Errors name the source, then where in it: "lesson.json: step 3, preset.n: ...".
struct Where {
  const std::string& source;
  std::string place;
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::Format, source + ": " + (place.empty() ? "" : place + ": ") + problem);
  }
  Where at(const std::string& field) const { return Where{source, place.empty() ? field : place + "." + field}; }
};

LocalText localText(const json& j, const Where& w) {
  LocalText t;
  if (j.is_string()) {
    t.byLanguage["en"] = j.get<std::string>();
  } else if (j.is_object()) {
    for (const auto& [language, text] : j.items()) {
      if (!text.is_string()) w.at(language).fail("expected a string");
      t.byLanguage[language] = text.get<std::string>();
    }
  } else {
    w.fail("expected a string or an object of strings by language (\"en\", \"zh_CN\")");
  }
  if (t.empty()) w.fail("no text");
  return t;
}

int64_t integer(const json& j, const Where& w, const limits::Range& range) {
  if (!j.is_number_integer()) w.fail("expected an integer");
  const int64_t v = j.get<int64_t>();
  if (!range.contains(v)) w.fail(std::to_string(v) + " outside [" + std::to_string(range.min) + ", " + std::to_string(range.max) + "]");
  return v;
}

// A parameter value as the text Params::set parses.
std::string paramText(const json& j, const Where& w) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number_integer()) return std::to_string(j.get<int64_t>());
  if (j.is_number()) return j.dump();
  if (j.is_array()) {
    std::string list;
    for (const json& e : j) {
      if (!e.is_number_integer()) w.fail("expected a list of integers");
      list += (list.empty() ? "" : ",") + std::to_string(e.get<int64_t>());
    }
    return list;
  }
  w.fail("expected a number, a boolean, a string or a list of integers");
}

AttentionSpec variantSpec(const json& j, const Where& w) {
  std::string id;
  const json* params = nullptr;
  if (j.is_string()) {
    id = j.get<std::string>();
  } else if (j.is_object()) {
    if (!j.contains("id") || !j["id"].is_string()) w.fail("expected \"id\": a variant id");
    id = j["id"].get<std::string>();
    if (j.contains("params")) params = &j["params"];
  } else {
    w.fail("expected a variant id or {\"id\": ..., \"params\": {...}}");
  }
  if (!VariantRegistry::instance().find(id)) {
    std::string known;
    for (const std::string& k : VariantRegistry::instance().ids()) known += (known.empty() ? "" : ", ") + k;
    w.fail("unknown variant '" + id + "' (known: " + known + ")");
  }
  AttentionSpec spec = makeSpec(id);
  if (params) {
    if (!params->is_object()) w.at("params").fail("expected an object of NAME: VALUE");
    for (const auto& [name, value] : params->items()) {
      try {
        spec.params.set(name, paramText(value, w.at("params." + name)));
      } catch (const Error& e) {
        w.at("params." + name).fail(e.what());
      }
    }
  }
  return spec;
}

LessonPreset preset(const json& j, const Where& w) {
  if (!j.is_object()) w.fail("expected an object");
  LessonPreset p;
  for (const auto& [key, value] : j.items()) {
    const Where f = w.at(key);
    if (key == "sample") {
      if (!value.is_string()) f.fail("expected a sample name");
      const std::string name = value.get<std::string>();
      bool known = false;
      std::string names;
      for (const SampleInfo& s : sampleList()) {
        known = known || s.name == name;
        names += (names.empty() ? "" : ", ") + s.name;
      }
      if (!known) f.fail("unknown sample '" + name + "' (samples: " + names + ")");
      p.sample = name;
    } else if (key == "n") {
      p.n = integer(value, f, limits::kLength);
    } else if (key == "heads") {
      p.heads = static_cast<int>(integer(value, f, limits::kHeads));
    } else if (key == "d") {
      p.d = static_cast<int>(integer(value, f, limits::kHeadWidth));
    } else if (key == "causal") {
      if (!value.is_boolean()) f.fail("expected true or false");
      p.causal = value.get<bool>();
    } else if (key == "variants") {
      if (!value.is_array() || value.empty()) f.fail("expected a non-empty list of variants");
      for (size_t k = 0; k < value.size(); ++k) p.variants.push_back(variantSpec(value[k], f.at(std::to_string(k + 1))));
    } else {
      f.fail("unknown field (fields: sample, n, heads, d, causal, variants)");
    }
  }
  if (p.causal && *p.causal)
    for (const AttentionSpec& s : p.variants)
      if (!VariantRegistry::instance().get(s.variant).info().supportsCausal) w.at("causal").fail(s.variant + " has no causal form");
  return p;
}

}  // namespace

std::string LocalText::in(const std::string& language) const {
  if (const auto it = byLanguage.find(language); it != byLanguage.end()) return it->second;
  // "zh_CN" asked, "zh" given (or the other way round).
  const std::string base = language.substr(0, language.find('_'));
  for (const auto& [lang, text] : byLanguage)
    if (lang.substr(0, lang.find('_')) == base) return text;
  if (const auto it = byLanguage.find("en"); it != byLanguage.end()) return it->second;
  return byLanguage.empty() ? std::string() : byLanguage.begin()->second;
}

Lesson parseLesson(const std::string& text, const std::string& source) {
  const Where top{source, ""};
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    top.fail(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) top.fail("expected a JSON object with \"title\" and \"steps\"");
  Lesson lesson;
  for (const auto& [key, value] : j.items()) {
    if (key == "id") {
      if (!value.is_string()) top.at(key).fail("expected a string");
      lesson.id = value.get<std::string>();
    } else if (key == "title") {
      lesson.title = localText(value, top.at(key));
    } else if (key == "summary") {
      lesson.summary = localText(value, top.at(key));
    } else if (key != "steps") {
      top.at(key).fail("unknown field (fields: id, title, summary, steps)");
    }
  }
  if (lesson.title.empty()) top.fail("missing \"title\"");
  if (!j.contains("steps") || !j["steps"].is_array() || j["steps"].empty()) top.fail("expected \"steps\": a non-empty list");
  if (j["steps"].size() > kMaxSteps) top.fail("more than " + std::to_string(kMaxSteps) + " steps");
  for (size_t k = 0; k < j["steps"].size(); ++k) {
    const json& s = j["steps"][k];
    const Where w{source, "step " + std::to_string(k + 1)};
    if (!s.is_object()) w.fail("expected an object");
    LessonStep step;
    for (const auto& [key, value] : s.items()) {
      const Where f = w.at(key);
      if (key == "title") step.title = localText(value, f);
      else if (key == "text") step.text = localText(value, f);
      else if (key == "preset") step.preset = preset(value, f);
      else if (key == "view") {
        if (!value.is_string() || value.get<std::string>().empty()) f.fail("expected a page name");
        step.view = value.get<std::string>();
      } else if (key == "page_state") {
        if (!value.is_object()) f.fail("expected an object of the page's settings");
        step.pageState = value.dump();
      } else if (key == "run") {
        if (!value.is_boolean()) f.fail("expected true or false");
        step.run = value.get<bool>();
      } else {
        f.fail("unknown field (fields: title, text, preset, view, page_state, run)");
      }
    }
    if (step.title.empty()) w.fail("missing \"title\"");
    if (step.text.empty()) w.fail("missing \"text\"");
    lesson.steps.push_back(std::move(step));
  }
  if (lesson.id.empty()) {
    // The file's name without folders and extension.
    std::string name = source.substr(source.find_last_of("/:") + 1);
    lesson.id = name.substr(0, name.find('.'));
  }
  return lesson;
}

Lesson loadLessonFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(ErrorKind::Io, path + ": cannot open");
  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  if (size < 0) throw Error(ErrorKind::Io, path + ": cannot read");
  if (size > kMaxLessonBytes) throw Error(ErrorKind::TooLarge, path + ": " + std::to_string(size) + " bytes; a lesson is at most 1 MiB");
  file.seekg(0);
  std::ostringstream text;
  text << file.rdbuf();
  return parseLesson(text.str(), path);
}

}  // namespace attnscope
