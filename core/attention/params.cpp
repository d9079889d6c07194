#include "attention/params.hpp"

#include <cmath>
#include <regex>
#include <sstream>

#include "common/error.hpp"
#include "common/parse.hpp"

namespace attnscope {

const char* paramTypeName(ParamType type) {
  switch (type) {
    case ParamType::Int: return "int";
    case ParamType::Float: return "float";
    case ParamType::Bool: return "bool";
    case ParamType::Enum: return "enum";
    case ParamType::IndexList: return "index list";
    case ParamType::String: return "string";
  }
  return "?";
}

namespace {
std::string num(double v) {
  std::ostringstream ss;
  ss.imbue(std::locale::classic());
  ss << v;
  return ss.str();
}
}  // namespace

std::string ParamSpec::allowed() const {
  switch (type) {
    case ParamType::Int:
    case ParamType::Float: return "[" + num(min) + ", " + num(max) + "]";
    case ParamType::Bool: return "true or false";
    case ParamType::Enum: {
      std::string s = "one of ";
      for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
      return s;
    }
    case ParamType::IndexList: return "comma-separated indices in [" + num(min) + ", " + num(max) + "]";
    case ParamType::String: return "any text";
  }
  return "";
}

ParamSpec intParam(std::string name, int64_t def, int64_t min, int64_t max, std::string help, std::string unit) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Int;
  s.defaultValue = def;
  s.min = static_cast<double>(min);
  s.max = static_cast<double>(max);
  s.help = std::move(help);
  s.unit = std::move(unit);
  return s;
}
ParamSpec floatParam(std::string name, double def, double min, double max, std::string help, std::string unit) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Float;
  s.defaultValue = def;
  s.min = min;
  s.max = max;
  s.help = std::move(help);
  s.unit = std::move(unit);
  return s;
}
ParamSpec boolParam(std::string name, bool def, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Bool;
  s.defaultValue = def;
  s.help = std::move(help);
  return s;
}
ParamSpec enumParam(std::string name, std::string def, std::vector<std::string> choices, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Enum;
  s.defaultValue = std::move(def);
  s.choices = std::move(choices);
  s.help = std::move(help);
  return s;
}
ParamSpec indexListParam(std::string name, std::string help, int64_t maxIndex) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::IndexList;
  s.defaultValue = std::vector<int64_t>{};
  s.min = 0;
  s.max = static_cast<double>(maxIndex);
  s.help = std::move(help);
  return s;
}
ParamSpec stringParam(std::string name, std::string def, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::String;
  s.defaultValue = std::move(def);
  s.help = std::move(help);
  return s;
}

std::string formatParamValue(const ParamValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return num(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const std::vector<int64_t>& v) const {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
      return s;
    }
  };
  return std::visit(Visitor{}, value);
}

Params::Params(std::vector<ParamSpec> schema) : schema_(std::move(schema)) {}

const ParamSpec& Params::spec(const std::string& name) const {
  for (const auto& s : schema_)
    if (s.name == name) return s;
  std::string known;
  for (const auto& s : schema_) known += (known.empty() ? "" : ", ") + s.name;
  throw Error(ErrorKind::InvalidArgument,
              "unknown parameter '" + name + "'" + (known.empty() ? " (this variant takes no parameters)" : " (known: " + known + ")"));
}

void Params::setValue(const std::string& name, const ParamValue& value) {
  const ParamSpec& s = spec(name);
  auto bad = [&](const std::string& got) {
    throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' = " + got + " is out of range: allowed " + s.allowed());
  };
  switch (s.type) {
    case ParamType::Int: {
      if (!std::holds_alternative<int64_t>(value)) throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' needs an integer");
      const int64_t v = std::get<int64_t>(value);
      if (static_cast<double>(v) < s.min || static_cast<double>(v) > s.max) bad(std::to_string(v));
      break;
    }
    case ParamType::Float: {
      if (!std::holds_alternative<double>(value)) throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' needs a number");
      const double v = std::get<double>(value);
      if (!std::isfinite(v) || v < s.min || v > s.max) bad(num(v));
      break;
    }
    case ParamType::Bool:
      if (!std::holds_alternative<bool>(value)) throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' needs true or false");
      break;
    case ParamType::Enum: {
      if (!std::holds_alternative<std::string>(value)) throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' needs a choice");
      const auto& v = std::get<std::string>(value);
      bool ok = false;
      for (const auto& c : s.choices) ok = ok || c == v;
      if (!ok) bad("'" + v + "'");
      break;
    }
    case ParamType::IndexList: {
      if (!std::holds_alternative<std::vector<int64_t>>(value)) throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' needs a list of indices");
      for (int64_t v : std::get<std::vector<int64_t>>(value))
        if (static_cast<double>(v) < s.min || static_cast<double>(v) > s.max) bad(std::to_string(v));
      break;
    }
    case ParamType::String:
      if (!std::holds_alternative<std::string>(value)) throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' needs text");
      if (name.find("pattern") != std::string::npos) {
        try {
          std::regex re(std::get<std::string>(value));
        } catch (const std::regex_error& e) {
          throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' is not a valid regular expression: " + e.what());
        }
      }
      break;
  }
  values_[name] = value;
}

void Params::set(const std::string& name, const std::string& text) {
  const ParamSpec& s = spec(name);
  const std::string expect = "parameter '" + name + "' = '" + text + "' is not ";
  switch (s.type) {
    case ParamType::Int: {
      auto v = parseInt(text);
      if (!v) throw Error(ErrorKind::InvalidArgument, expect + "an integer (allowed " + s.allowed() + ")");
      setValue(name, *v);
      return;
    }
    case ParamType::Float: {
      auto v = parseDouble(text);
      if (!v) throw Error(ErrorKind::InvalidArgument, expect + "a number (allowed " + s.allowed() + ")");
      setValue(name, *v);
      return;
    }
    case ParamType::Bool: {
      auto v = parseBool(text);
      if (!v) throw Error(ErrorKind::InvalidArgument, expect + "true or false");
      setValue(name, *v);
      return;
    }
    case ParamType::Enum:
    case ParamType::String: setValue(name, std::string(trim(text))); return;
    case ParamType::IndexList: {
      std::vector<int64_t> list;
      std::string_view rest = trim(text);
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        auto v = parseInt(item);
        if (!v) throw Error(ErrorKind::InvalidArgument, expect + "a comma-separated list of indices ('" + std::string(item) + "')");
        list.push_back(*v);
        if (list.size() > 1000000) throw Error(ErrorKind::TooLarge, "parameter '" + name + "' lists more than 1000000 indices");
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
      setValue(name, list);
      return;
    }
  }
}

void Params::assign(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorKind::InvalidArgument, "malformed parameter '" + assignment + "': expected NAME=VALUE");
  set(std::string(trim(assignment.substr(0, eq))), assignment.substr(eq + 1));
}

const ParamValue& Params::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  return spec(name).defaultValue;
}

int64_t Params::getInt(const std::string& name) const { return std::get<int64_t>(value(name)); }
double Params::getFloat(const std::string& name) const { return std::get<double>(value(name)); }
bool Params::getBool(const std::string& name) const { return std::get<bool>(value(name)); }
std::string Params::getString(const std::string& name) const { return std::get<std::string>(value(name)); }
std::vector<int64_t> Params::getIndexList(const std::string& name) const { return std::get<std::vector<int64_t>>(value(name)); }

std::vector<std::pair<std::string, std::string>> Params::describe() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : schema_) out.emplace_back(s.name, formatParamValue(value(s.name)));
  return out;
}

}  // namespace attnscope
