#include "experiment/sweep_export.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "attention/registry.hpp"
#include "experiment/json_export.hpp"

namespace attnscope {

const char* const kSweepMemoryDefinition =
    "run_bytes: the run's own Q, K, V and O (4 bytes x heads x n x (2 d + 2 dv)) plus the tracked workspace peak; "
    "the process's RSS is reported beside it but not fitted (it also holds the input, the reference and the allocator's slack)";

namespace {

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string number(double v, const char* format = "%.6g") {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

nlohmann::json fitJson(const ExponentFit& f) {
  if (!f.valid()) return {{"exponent", nullptr}, {"r2", nullptr}, {"points", f.points}};
  return {{"exponent", f.exponent}, {"r2", f.r2}, {"points", f.points}};
}

std::string fitText(const ExponentFit& f) {
  if (!f.valid()) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f (R2 %.3f)", f.exponent, f.r2);
  return buf;
}

const VariantInfo& infoOf(const std::string& id) { return VariantRegistry::instance().get(id).info(); }

}  // namespace

std::string sweepCsvHeader() {
  return "variant,family,params,n,status,message,time_median_ms,time_min_ms,time_max_ms,repeats,run_bytes,workspace_peak_bytes,"
         "workspace_predicted_bytes,process_peak_rss_bytes,flops,gflops_per_s,bytes_moved,gb_per_s,error_vs_dense";
}

std::string sweepToCsv(const SweepResult& result) {
  std::ostringstream out;
  out << sweepCsvHeader() << "\n";
  for (const SweepPoint& p : result.points) {
    const bool done = p.status == PointStatus::Done;
    auto v = [&](double x) { return done ? number(x) : std::string(); };
    out << csvField(p.variant) << ',' << csvField(infoOf(p.variant).family) << ',' << csvField(p.paramsText()) << ',' << p.n << ','
        << pointStatusName(p.status) << ',' << csvField(p.message) << ',' << v(p.time.medianMs) << ',' << v(p.time.minMs) << ','
        << v(p.time.maxMs) << ',' << (done ? std::to_string(p.time.samplesMs.size()) : "") << ','
        << (done ? std::to_string(p.memory.runBytes) : "") << ',' << (done ? std::to_string(p.memory.workspacePeakBytes) : "") << ','
        << v(p.memory.workspacePredictedBytes) << ',' << (done ? std::to_string(p.memory.processPeakRssBytes) : "") << ','
        << v(p.predicted.flops) << ',' << v(p.gflops) << ',' << v(p.predicted.bytesRead + p.predicted.bytesWritten) << ',' << v(p.gbPerS)
        << ',' << (p.errorVsDense ? number(*p.errorVsDense) : "") << "\n";
  }
  return out.str();
}

nlohmann::json sweepToJson(const SweepResult& r) {
  nlohmann::json j;
  nlohmann::json spec = specToJson(r.spec.base);
  spec.erase("variant");
  spec.erase("params");
  spec.erase("n");
  spec["variants"] = r.spec.variants;
  spec["lengths"] = r.spec.lengths;
  nlohmann::json axes = nlohmann::json::array();
  for (const ParamAxis& a : r.spec.params) axes.push_back({{"variant", a.variant}, {"name", a.name}, {"values", a.values}});
  spec["param_axes"] = axes;
  spec["error_vs_dense"] = r.spec.errorVsDense;
  spec["error_max_n"] = r.spec.errorMaxN;
  j["spec"] = spec;
  j["planned_points"] = r.planned;
  j["finished_points"] = r.points.size();
  j["cancelled"] = r.cancelled;
  j["wall_seconds"] = r.wallSeconds;
  j["memory_definition"] = kSweepMemoryDefinition;
  j["flops_convention"] = kFlopsConvention;
  j["error_definition"] = "relative Frobenius error of O against dense on the same Q, K, V: ||O - O_dense||_F / ||O_dense||_F over all heads";

  nlohmann::json points = nlohmann::json::array();
  for (const SweepPoint& p : r.points) {
    nlohmann::json q;
    q["variant"] = p.variant;
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : p.params) params[name] = value;
    q["params"] = params;
    q["n"] = p.n;
    q["status"] = pointStatusName(p.status);
    if (!p.message.empty()) q["message"] = p.message;
    if (p.status == PointStatus::Done) {
      q["time_ms"] = {{"median", p.time.medianMs}, {"min", p.time.minMs}, {"max", p.time.maxMs}, {"samples", p.time.samplesMs}};
      q["memory"] = memoryToJson(p.memory);
      q["predicted"] = costToJson(p.predicted);
      q["gflops_per_s"] = p.gflops;
      q["gb_per_s"] = p.gbPerS;
    }
    q["error_vs_dense"] = p.errorVsDense ? nlohmann::json(*p.errorVsDense) : nlohmann::json(nullptr);
    points.push_back(std::move(q));
  }
  j["points"] = points;

  nlohmann::json series = nlohmann::json::array();
  for (const SweepSeries& s : r.series) {
    const VariantInfo& info = infoOf(s.variant);
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : s.params) params[name] = value;
    series.push_back({{"key", s.key},
                      {"variant", s.variant},
                      {"params", params},
                      {"family", info.family},
                      {"claimed_time", info.complexity},
                      {"claimed_memory", info.memoryComplexity},
                      {"time_fit", fitJson(s.time)},
                      {"memory_fit", fitJson(s.memory)},
                      {"error_vs_dense", s.error ? nlohmann::json(*s.error) : nlohmann::json(nullptr)},
                      {"error_at_n", s.error ? nlohmann::json(s.errorN) : nlohmann::json(nullptr)},
                      {"use_when", info.useWhen},
                      {"loses", info.loses},
                      {"done", s.done},
                      {"skipped", s.skipped},
                      {"failed", s.failed}});
  }
  j["series"] = series;
  return j;
}

std::string fieldTable(const SweepResult& r) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"variant", "family", "claimed", "time exponent", "memory exponent", "error vs dense", "suits", "loses"});
  for (const SweepSeries& s : r.series) {
    const VariantInfo& info = infoOf(s.variant);
    std::string error = "-";
    if (s.error) error = number(*s.error, "%.3g") + " (n=" + std::to_string(s.errorN) + ")";
    std::string key = s.key;
    if (s.skipped + s.failed > 0) key += " [" + std::to_string(s.skipped + s.failed) + " not run]";
    rows.push_back({key, info.family, info.complexity + ", mem " + info.memoryComplexity, fitText(s.time), fitText(s.memory), error, info.useWhen, info.loses});
  }
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c + 2 < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 2 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
      else if (c + 1 < row.size()) line += "  |  ";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace attnscope
