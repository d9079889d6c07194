// Parameter schemas and validated values. Every variant declares its
// parameters once; CLI flags, GUI forms, sweeps and lessons read the schema.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace attnscope {

enum class ParamType { Int, Float, Bool, Enum, IndexList, String };

const char* paramTypeName(ParamType type);

using ParamValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Int;
  ParamValue defaultValue = int64_t{0};
  double min = 0;                    // Int/Float: inclusive range; IndexList: element range
  double max = 0;
  std::vector<std::string> choices;  // Enum only
  std::string help;                  // one line
  std::string unit;                  // "tokens", "blocks", ...

  // Human-readable allowed range, e.g. "[1, 65536]" or "one of gaussian, mean_pool".
  std::string allowed() const;
};

// Builders that keep schema declarations short.
ParamSpec intParam(std::string name, int64_t def, int64_t min, int64_t max, std::string help, std::string unit = "");
ParamSpec floatParam(std::string name, double def, double min, double max, std::string help, std::string unit = "");
ParamSpec boolParam(std::string name, bool def, std::string help);
ParamSpec enumParam(std::string name, std::string def, std::vector<std::string> choices, std::string help);
ParamSpec indexListParam(std::string name, std::string help, int64_t maxIndex = (int64_t{1} << 40));
ParamSpec stringParam(std::string name, std::string def, std::string help);

std::string formatParamValue(const ParamValue& value);

// Values for one schema. Missing values fall back to the schema's default.
class Params {
 public:
  Params() = default;
  explicit Params(std::vector<ParamSpec> schema);

  const std::vector<ParamSpec>& schema() const { return schema_; }

  // Parses and validates "VALUE" for parameter NAME; throws Error naming the
  // parameter and its allowed range.
  void set(const std::string& name, const std::string& text);
  void setValue(const std::string& name, const ParamValue& value);
  // "NAME=VALUE"
  void assign(const std::string& assignment);

  int64_t getInt(const std::string& name) const;
  double getFloat(const std::string& name) const;
  bool getBool(const std::string& name) const;
  std::string getString(const std::string& name) const;  // Enum and String
  std::vector<int64_t> getIndexList(const std::string& name) const;
  const ParamValue& value(const std::string& name) const;
  bool isSet(const std::string& name) const { return values_.count(name) != 0; }

  // name -> value for every schema entry (defaults included), in schema order.
  std::vector<std::pair<std::string, std::string>> describe() const;

 private:
  const ParamSpec& spec(const std::string& name) const;
  std::vector<ParamSpec> schema_;
  std::map<std::string, ParamValue> values_;
};

}  // namespace attnscope
