#include "experiment/json_export.hpp"

#include <map>

#include "attention/registry.hpp"

namespace attnscope {

nlohmann::json specToJson(const RunSpec& s) {
  nlohmann::json j;
  if (!s.qkvFile.empty()) j["input"] = {{"kind", "qkv"}, {"path", s.qkvFile}};
  else if (!s.inputFile.empty()) j["input"] = {{"kind", "file"}, {"path", s.inputFile}};
  else j["input"] = {{"kind", "sample"}, {"name", s.sample}, {"seed", s.sampleSeed}};
  j["n"] = s.n;
  j["heads"] = s.features.heads;
  j["d"] = s.features.d;
  j["positions"] = positionsName(s.features.positions);
  j["tied_qk"] = s.features.tiedQK;
  j["feature_seed"] = s.features.seed;
  j["variant"] = s.attention.variant;
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [name, value] : s.attention.params.describe()) params[name] = value;
  j["params"] = params;
  j["causal"] = s.attention.causal;
  j["precision"] = precisionName(s.attention.precision);
  j["backend"] = s.backend;
  j["warmup"] = s.warmup;
  j["repeats"] = s.repeats;
  j["min_measure_seconds"] = s.minMeasureSeconds;
  return j;
}

nlohmann::json costToJson(const CostEstimate& c) {
  return {{"pairs", c.pairs}, {"flops", c.flops}, {"bytes_read", c.bytesRead}, {"bytes_written", c.bytesWritten}, {"workspace_bytes", c.workspaceBytes}};
}

const char* const kFlopsConvention =
    "useful FLOPs from the cost model: 2 (d + dv) per scored (query, key) pair (4 d when dv = d, the FlashAttention convention), "
    "plus the projection and feature work of factor variants; masked-out pairs inside partial tiles are not counted";

nlohmann::json memoryToJson(const MemoryReport& m) {
  nlohmann::json j = {{"workspace_peak_bytes", m.workspacePeakBytes},
                      {"workspace_predicted_bytes", m.workspacePredictedBytes},
                      {"tensor_bytes", m.tensorBytes},
                      {"run_bytes", m.runBytes},
                      {"process_peak_rss_bytes", m.processPeakRssBytes}};
  if (m.workspacePredictedBytes > 0) j["workspace_measured_over_predicted"] = m.measuredOverPredicted();
  else j["workspace_measured_over_predicted"] = nullptr;
  return j;
}

nlohmann::json phaseTotalsMs(const Trace& trace) {
  // Sum of span durations per name across every repeat and track (warm-up included).
  std::map<std::string, double> totals;
  for (const Span& s : trace.spans) totals[s.name] += static_cast<double>(s.durationNs) / 1e6;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, ms] : totals) j[name] = ms;
  return j;
}

nlohmann::json resultToJson(const RunResult& r) {
  nlohmann::json j;
  j["spec"] = specToJson(r.spec);
  j["shape"] = {{"n", r.shape.n}, {"d", r.shape.d}, {"dv", r.shape.dv}, {"heads", r.shape.heads}, {"causal", r.shape.causal}, {"workers", r.shape.workers}, {"head_lanes", r.shape.lanes}};
  j["input_description"] = r.inputDescription;
  const Variant& v = VariantRegistry::instance().get(r.spec.attention.variant);
  j["complexity"] = v.info().complexity;
  j["predicted"] = costToJson(r.predicted);
  j["time_ms"] = {{"median", r.time.medianMs}, {"min", r.time.minMs}, {"max", r.time.maxMs}, {"spread", r.time.maxMs - r.time.minMs}, {"samples", r.time.samplesMs}};
  j["peak_workspace_bytes"] = r.peakWorkspaceBytes;
  j["memory"] = memoryToJson(r.memory);
  j["flops"] = r.predicted.flops;
  j["flops_convention"] = kFlopsConvention;
  j["gflops_per_s"] = r.gflops;
  j["bytes_moved"] = r.bytesMoved;
  j["gb_per_s"] = r.gbPerS;
  j["span_totals_ms"] = phaseTotalsMs(r.trace);
  nlohmann::json heads = nlohmann::json::array();
  for (const HeadExtras& e : r.result.extras) {
    nlohmann::json h;
    for (const auto& [name, value] : e.scalars) h[name] = value;
    if (!e.memoryMass.empty()) h["memory_mass_per_segment"] = e.memoryMass;
    if (!e.notes.empty()) h["notes"] = e.notes;
    if (!e.memory.empty()) h["memory_segments"] = e.memory.size();
    heads.push_back(h);
  }
  j["heads_detail"] = heads;
  if (r.result.map) {
    const MapGrid& g = *r.result.map;
    j["map"] = {{"rows", {g.i0, g.i1}}, {"cols", {g.j0, g.j1}}, {"cells", {g.rows, g.cols}}, {"exact", g.exact()}};
  }
  j["warnings"] = r.warnings;
  return j;
}

}  // namespace attnscope
