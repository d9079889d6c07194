#include "session_file.hpp"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {

using nlohmann::json;

// Messages of this file, written Text::tr("...") so that lupdate finds them.
struct Text {
  Q_DECLARE_TR_FUNCTIONS(attnscope::SessionFile)
};

QString q(const std::string& s) { return QString::fromStdString(s); }

void warn(QStringList* warnings, const QString& text) {
  if (warnings) warnings->push_back(text);
}

// A field of the expected type, else the default (with a warning when present but wrong).
template <typename T>
T field(const json& j, const char* key, T fallback, QStringList* warnings) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    warn(warnings, Text::tr("session field \"%1\" has the wrong type; using the default").arg(key));
    return fallback;
  }
}

// An enum through its core parser; a bad value keeps the default.
template <typename E, typename Parse>
E enumField(const json& j, const char* key, E fallback, Parse parse, QStringList* warnings) {
  const std::string text = field<std::string>(j, key, std::string(), warnings);
  if (text.empty()) return fallback;
  try {
    return parse(text);
  } catch (const Error& e) {
    warn(warnings, Text::tr("session field \"%1\": %2").arg(key, engineMessage(e.what())));
    return fallback;
  }
}

const char* textModeName(TextMode m) { return m == TextMode::Words ? "words" : m == TextMode::Chars ? "chars" : "bytes"; }
const char* missingName(MissingPolicy m) { return m == MissingPolicy::Interpolate ? "interpolate" : m == MissingPolicy::Skip ? "skip" : "refuse"; }
const char* headerName(HeaderMode m) { return m == HeaderMode::Auto ? "auto" : m == HeaderMode::Present ? "yes" : "no"; }
const char* roleName(TensorRole r) {
  switch (r) {
    case TensorRole::Auto: return "auto";
    case TensorRole::Q: return "q";
    case TensorRole::K: return "k";
    case TensorRole::V: return "v";
    case TensorRole::Qkv: return "qkv";
    case TensorRole::Embeddings: return "embeddings";
  }
  return "auto";
}

json loadToJson(const LoadOptions& o) {
  return {{"max_tokens", o.maxTokens},         {"allow_non_finite", o.allowNonFinite}, {"format", fileFormatName(o.format)},
          {"text_mode", textModeName(o.textMode)}, {"fasta_record", o.fastaRecord},     {"fasta_record_index", o.fastaRecordIndex},
          {"kmer", o.kmer},                    {"kmer_stride", o.kmerStride},           {"csv_column", o.csvColumn},
          {"csv_delimiter", o.csvDelimiter ? std::string(1, o.csvDelimiter) : std::string()},
          {"csv_header", headerName(o.csvHeader)}, {"missing", missingName(o.missing)}, {"feature_width", o.featureWidth},
          {"feature_seed", o.featureSeed},     {"tensor_names", o.tensorNames},         {"role", roleName(o.role)},
          {"max_bytes", o.maxBytes}};
}

LoadOptions loadFromJson(const json& j, QStringList* w) {
  LoadOptions o;
  if (!j.is_object()) return o;
  o.maxTokens = field(j, "max_tokens", o.maxTokens, w);
  o.allowNonFinite = field(j, "allow_non_finite", o.allowNonFinite, w);
  o.format = enumField(j, "format", o.format, parseFileFormat, w);
  o.textMode = enumField(j, "text_mode", o.textMode, parseTextMode, w);
  o.fastaRecord = field(j, "fasta_record", o.fastaRecord, w);
  o.fastaRecordIndex = field(j, "fasta_record_index", o.fastaRecordIndex, w);
  o.kmer = field(j, "kmer", o.kmer, w);
  o.kmerStride = field(j, "kmer_stride", o.kmerStride, w);
  o.csvColumn = field(j, "csv_column", o.csvColumn, w);
  const std::string delimiter = field(j, "csv_delimiter", std::string(), w);
  o.csvDelimiter = delimiter.empty() ? 0 : delimiter[0];
  o.csvHeader = enumField(j, "csv_header", o.csvHeader, parseHeaderMode, w);
  o.missing = enumField(j, "missing", o.missing, parseMissingPolicy, w);
  o.featureWidth = field(j, "feature_width", o.featureWidth, w);
  o.featureSeed = field(j, "feature_seed", o.featureSeed, w);
  o.tensorNames = field(j, "tensor_names", o.tensorNames, w);
  o.role = enumField(j, "role", o.role, parseTensorRole, w);
  o.maxBytes = field(j, "max_bytes", o.maxBytes, w);
  return o;
}

}  // namespace

json attentionSpecToJson(const AttentionSpec& spec) {
  json params = json::object();
  for (const auto& [name, value] : spec.params.describe()) params[name] = value;
  return {{"id", spec.variant}, {"params", params}, {"causal", spec.causal}, {"precision", precisionName(spec.precision)}};
}

std::optional<AttentionSpec> attentionSpecFromJson(const json& j, QStringList* w) {
  const std::string id = j.is_string() ? j.get<std::string>() : field<std::string>(j, "id", std::string(), w);
  if (!VariantRegistry::instance().find(id)) {
    warn(w, Text::tr("unknown variant \"%1\" left out").arg(q(id)));
    return std::nullopt;
  }
  AttentionSpec spec = makeSpec(id);
  if (!j.is_object()) return spec;
  spec.causal = field(j, "causal", spec.causal, w);
  spec.precision = enumField(j, "precision", spec.precision, parsePrecision, w);
  const json params = j.value("params", json::object());
  if (!params.is_object()) return spec;
  for (const auto& [name, value] : params.items()) {
    // Values are written as text (as on the command line); numbers from hand-edited files are accepted too.
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    try {
      spec.params.set(name, text);
    } catch (const Error& e) {
      warn(w, Text::tr("%1: %2; using its default").arg(q(id), engineMessage(e.what())));
    }
  }
  return spec;
}

json runSpecToJson(const RunSpec& s) {
  json j;
  if (!s.qkvFile.empty()) j["input"] = {{"kind", "qkv"}, {"path", s.qkvFile}};
  else if (!s.inputFile.empty()) j["input"] = {{"kind", "file"}, {"path", s.inputFile}};
  else j["input"] = {{"kind", "sample"}, {"name", s.sample}};
  j["sample_seed"] = s.sampleSeed;
  j["load"] = loadToJson(s.load);
  j["n"] = s.n;
  j["features"] = {{"heads", s.features.heads},        {"d", s.features.d},          {"d_model", s.features.dModel},
                   {"positions", positionsName(s.features.positions)}, {"tied_qk", s.features.tiedQK}, {"seed", s.features.seed}};
  j["attention"] = attentionSpecToJson(s.attention);
  j["backend"] = s.backend;
  j["warmup"] = s.warmup;
  j["repeats"] = s.repeats;
  j["min_measure_seconds"] = s.minMeasureSeconds;
  j["memory_fraction"] = s.memoryFraction;
  j["memory_budget_bytes"] = s.memoryBudgetBytes;
  return j;
}

RunSpec runSpecFromJson(const json& j, QStringList* w) {
  RunSpec s;
  if (!j.is_object()) {
    warn(w, Text::tr("a run spec is not an object; using the defaults"));
    return s;
  }
  const json input = j.value("input", json::object());
  const std::string kind = field<std::string>(input, "kind", "sample", w);
  if (kind == "file" || kind == "qkv") {
    const std::string path = field<std::string>(input, "path", std::string(), w);
    if (path.empty() || !QFileInfo::exists(q(path))) {
      warn(w, Text::tr("the input file %1 was not found; the built-in sample \"%2\" is used instead").arg(q(path), q(s.sample)));
    } else if (kind == "file") {
      s.inputFile = path;
    } else {
      s.qkvFile = path;
    }
  } else if (kind == "sample") {
    s.sample = field<std::string>(input, "name", s.sample, w);
  } else {
    warn(w, Text::tr("unknown input kind \"%1\"; using the built-in sample").arg(q(kind)));
  }
  s.sampleSeed = field(j, "sample_seed", s.sampleSeed, w);
  s.load = loadFromJson(j.value("load", json::object()), w);
  s.n = field(j, "n", s.n, w);
  const json f = j.value("features", json::object());
  s.features.heads = field(f, "heads", s.features.heads, w);
  s.features.d = field(f, "d", s.features.d, w);
  s.features.dModel = field(f, "d_model", s.features.dModel, w);
  s.features.positions = enumField(f, "positions", s.features.positions, parsePositions, w);
  s.features.tiedQK = field(f, "tied_qk", s.features.tiedQK, w);
  s.features.seed = field(f, "seed", s.features.seed, w);
  if (j.contains("attention"))
    if (auto a = attentionSpecFromJson(j.at("attention"), w)) s.attention = *a;
  s.backend = field(j, "backend", s.backend, w);
  s.warmup = field(j, "warmup", s.warmup, w);
  s.repeats = field(j, "repeats", s.repeats, w);
  s.minMeasureSeconds = field(j, "min_measure_seconds", s.minMeasureSeconds, w);
  s.memoryFraction = field(j, "memory_fraction", s.memoryFraction, w);
  s.memoryBudgetBytes = field(j, "memory_budget_bytes", s.memoryBudgetBytes, w);
  return s;
}

json sweepSpecToJson(const SweepSpec& s) {
  json axes = json::array();
  for (const ParamAxis& a : s.params) axes.push_back({{"variant", a.variant}, {"name", a.name}, {"values", a.values}});
  return {{"base", runSpecToJson(s.base)}, {"variants", s.variants},          {"lengths", s.lengths},
          {"params", axes},                {"error_vs_dense", s.errorVsDense}, {"error_max_n", s.errorMaxN}};
}

SweepSpec sweepSpecFromJson(const json& j, QStringList* w) {
  SweepSpec s;
  if (!j.is_object()) return s;
  s.base = runSpecFromJson(j.value("base", json::object()), w);
  for (const std::string& v : field(j, "variants", std::vector<std::string>{}, w)) {
    if (VariantRegistry::instance().find(v)) s.variants.push_back(v);
    else warn(w, Text::tr("unknown variant \"%1\" left out of a sweep").arg(q(v)));
  }
  s.lengths = field(j, "lengths", s.lengths, w);
  const json axes = j.value("params", json::array());
  if (axes.is_array())
    for (const json& a : axes)
      s.params.push_back({field<std::string>(a, "variant", "", w), field<std::string>(a, "name", "", w), field(a, "values", std::vector<std::string>{}, w)});
  s.errorVsDense = field(j, "error_vs_dense", s.errorVsDense, w);
  s.errorMaxN = field(j, "error_max_n", s.errorMaxN, w);
  return s;
}

json sessionToJson(const SessionState& state, const SessionExtras& extras) {
  json j;
  j["format"] = kSessionFormat;
  j["version"] = kSessionVersion;
  j["spec"] = runSpecToJson(state.base);
  json variants = json::array();
  for (size_t i = 0; i < state.variants.size(); ++i) {
    AttentionSpec a = i < state.variantSpecs.size() ? state.variantSpecs[i] : makeSpec(state.variants[i]);
    a.variant = state.variants[i];
    variants.push_back(attentionSpecToJson(a));
  }
  j["variants"] = variants;
  j["map_head"] = state.mapHead;
  j["page"] = state.page.toStdString();
  j["pages"] = extras.pages.is_object() ? extras.pages : json::object();
  j["runs"] = extras.runs.is_array() ? extras.runs : json::array();
  j["window"] = extras.window.is_object() ? extras.window : json::object();
  return j;
}

SessionState sessionFromJson(const json& j, QStringList* w, SessionExtras* extras) {
  if (!j.is_object() || j.value("format", std::string()) != kSessionFormat)
    throw Error(ErrorKind::Format, Text::tr("this is not an AttnScope session (no \"format\": \"%1\")").arg(kSessionFormat).toStdString());
  const int version = field(j, "version", 0, w);
  if (version > kSessionVersion)
    throw Error(ErrorKind::Unsupported,
                Text::tr("this session was written by a newer AttnScope (version %1; this one reads up to %2)").arg(version).arg(kSessionVersion).toStdString());
  SessionState state;
  state.base = runSpecFromJson(j.value("spec", json::object()), w);
  const json variants = j.value("variants", json::array());
  if (variants.is_array())
    for (const json& v : variants)
      if (auto a = attentionSpecFromJson(v, w)) {
        state.variants.push_back(a->variant);
        state.variantSpecs.push_back(*a);
      }
  if (!state.variants.empty()) {
    // The primary variant's parameters; causal and precision are the session's, asked of every column.
    const bool causal = state.base.attention.causal;
    const Precision precision = state.base.attention.precision;
    state.base.attention = state.variantSpecs.front();
    state.base.attention.causal = causal;
    state.base.attention.precision = precision;
  }
  state.mapHead = std::max(0, field(j, "map_head", 0, w));
  if (state.mapHead >= state.base.features.heads) state.mapHead = 0;
  state.page = q(field<std::string>(j, "page", state.page.toStdString(), w));
  if (extras) {
    extras->pages = j.value("pages", json::object());
    if (!extras->pages.is_object()) extras->pages = json::object();
    extras->runs = j.value("runs", json::array());
    if (!extras->runs.is_array()) extras->runs = json::array();
    extras->window = j.value("window", json::object());
    if (!extras->window.is_object()) extras->window = json::object();
  }
  return state;
}

bool writeSessionFile(const QString& path, const json& session, QString* error) {
  QSaveFile file(path);
  const std::string text = session.dump(2) + "\n";
  if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()) ||
      !file.commit()) {
    if (error) *error = Text::tr("cannot write %1: %2").arg(QFileInfo(path).absoluteFilePath(), file.errorString());
    return false;
  }
  return true;
}

std::optional<json> readSessionFile(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = Text::tr("cannot open %1: %2").arg(QFileInfo(path).absoluteFilePath(), file.errorString());
    return std::nullopt;
  }
  constexpr qint64 kMaxBytes = 64 << 20;  // sessions are small; anything larger is not one
  if (file.size() > kMaxBytes) {
    if (error) *error = Text::tr("%1 is too large to be a session file").arg(QFileInfo(path).fileName());
    return std::nullopt;
  }
  const QByteArray bytes = file.readAll();
  try {
    return json::parse(bytes.constBegin(), bytes.constEnd());
  } catch (const json::parse_error& e) {
    if (error) *error = Text::tr("%1 is not valid JSON (at byte %2): %3").arg(QFileInfo(path).fileName()).arg(e.byte).arg(QString::fromUtf8(e.what()));
    return std::nullopt;
  }
}

std::optional<SessionState> openSession(const QString& path, QStringList* warnings, QString* error, SessionExtras* extras) {
  const std::optional<json> j = readSessionFile(path, error);
  if (!j) return std::nullopt;
  try {
    return sessionFromJson(*j, warnings, extras);
  } catch (const std::exception& e) {
    if (error) *error = Text::tr("%1: %2").arg(QFileInfo(path).fileName(), QString::fromUtf8(e.what()));
    return std::nullopt;
  }
}

bool saveSession(const QString& path, const SessionState& state, const SessionExtras& extras, QString* error) {
  return writeSessionFile(path, sessionToJson(state, extras), error);
}

QStringList recentSessions() {
  QSettings settings;
  QStringList list = settings.value("sessions/recent").toStringList();
  list.removeIf([](const QString& p) { return !QFileInfo::exists(p); });
  return list;
}

void noteRecentSession(const QString& path) {
  QSettings settings;
  QStringList list = settings.value("sessions/recent").toStringList();
  const QString absolute = QFileInfo(path).absoluteFilePath();
  list.removeAll(absolute);
  list.prepend(absolute);
  while (list.size() > 10) list.removeLast();
  settings.setValue("sessions/recent", list);
}

QString lastSessionPath() {
  const QStringList list = recentSessions();
  return list.isEmpty() ? QString() : list.front();
}

}  // namespace attnscope
