// Session files (.attnscope): the window's state as JSON with a version field —
// input, featurizer, variants and their parameters, the page shown, each
// page's own state, and the specs of the run history. Pure functions for the
// conversion (unit tested); file I/O that reports instead of throwing.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>

#include <nlohmann/json.hpp>

#include "experiment/sweep.hpp"
#include "session_model.hpp"

namespace attnscope {

constexpr int kSessionVersion = 1;
inline constexpr const char* kSessionFormat = "attnscope-session";

// What a session file holds besides the SessionState: per-page state (by page
// id), the run history's specs, and the window layout (opaque to this file).
struct SessionExtras {
  nlohmann::json pages = nlohmann::json::object();
  nlohmann::json runs = nlohmann::json::array();
  nlohmann::json window = nlohmann::json::object();
};

nlohmann::json sessionToJson(const SessionState& state, const SessionExtras& extras = {});
// Reads what it can: unknown variants, bad parameter values and a missing
// input file become warnings (the input falls back to the default sample),
// the rest stays as written. Throws Error(Format) only when the JSON is not a
// session at all, or Error(Unsupported) for a newer version.
SessionState sessionFromJson(const nlohmann::json& j, QStringList* warnings, SessionExtras* extras = nullptr);

// Spec conversions shared with the run history.
nlohmann::json runSpecToJson(const RunSpec& spec);
RunSpec runSpecFromJson(const nlohmann::json& j, QStringList* warnings);
nlohmann::json attentionSpecToJson(const AttentionSpec& spec);
std::optional<AttentionSpec> attentionSpecFromJson(const nlohmann::json& j, QStringList* warnings);
nlohmann::json sweepSpecToJson(const SweepSpec& spec);
SweepSpec sweepSpecFromJson(const nlohmann::json& j, QStringList* warnings);

// File I/O: false / nullopt with a readable reason in *error (never throws).
bool writeSessionFile(const QString& path, const nlohmann::json& session, QString* error);
std::optional<nlohmann::json> readSessionFile(const QString& path, QString* error);

// Both steps: read and convert. nullopt with *error when the file cannot be
// used at all; otherwise the state, with anything it had to change in *warnings.
std::optional<SessionState> openSession(const QString& path, QStringList* warnings, QString* error, SessionExtras* extras = nullptr);
bool saveSession(const QString& path, const SessionState& state, const SessionExtras& extras, QString* error);

// Recent files and the last session (QSettings).
QStringList recentSessions();
void noteRecentSession(const QString& path);  // moves it to the front, keeps ten
QString lastSessionPath();                    // the most recent one, or empty

}  // namespace attnscope
