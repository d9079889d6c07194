#include "analysis/analysis_json.hpp"

#include <cmath>

namespace attnscope {

namespace {

using nlohmann::json;

// JSON has no infinity or NaN: those become null.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json summary(const RowSummary& s) {
  if (s.rows == 0) return {{"rows", 0}};
  return {{"mean", number(s.mean)}, {"min", number(s.min)}, {"max", number(s.max)}, {"rows", s.rows}};
}

json klJson(const KlSummary& k) {
  json j = summary(k.finite);
  j["rows_infinite"] = k.infiniteRows;
  j["rows_undefined"] = k.undefinedRows;
  return j;
}

json mapJson(const MapGrid& g) {
  double total = 0;
  int64_t computedCells = 0;
  double computedPairs = 0;
  for (int64_t r = 0; r < g.rows; ++r)
    for (int64_t c = 0; c < g.cols; ++c) {
      total += g.sum(r, c);
      computedPairs += static_cast<double>(g.computed(r, c)) * static_cast<double>(g.cellPairs(r, c));
      if (g.computed(r, c) > 0) ++computedCells;
    }
  const double regionPairs = static_cast<double>(g.i1 - g.i0) * static_cast<double>(g.j1 - g.j0);
  return {{"head", g.head},
          {"rows", {g.i0, g.i1}},
          {"cols", {g.j0, g.j1}},
          {"cells", {g.rows, g.cols}},
          {"exact", g.exact()},
          {"cell_tokens", {static_cast<double>(g.i1 - g.i0) / static_cast<double>(g.rows), static_cast<double>(g.j1 - g.j0) / static_cast<double>(g.cols)}},
          {"sum_of_weights", total},
          {"mask", {{"computed_fraction_in_region", regionPairs > 0 ? computedPairs / regionPairs : 0.0}, {"cells_with_computed_pairs", computedCells}}}};
}

json spectrumJson(const Spectrum& s) {
  json marks = json::array();
  for (const SpectrumMark& m : s.marks) {
    json mj = {{"name", m.name}, {"index", m.index}};
    mj["sigma_after_over_sigma_1"] = m.ratioAfter >= 0 ? json(m.ratioAfter) : json(nullptr);
    marks.push_back(mj);
  }
  const size_t shown = std::min<size_t>(s.sigma.size(), 64);
  return {{"method", s.method},
          {"values", s.sigma.size()},
          {"sigma_1", s.sigma.empty() ? 0.0 : s.sigma.front()},
          {"sigma_leading", std::vector<double>(s.sigma.begin(), s.sigma.begin() + static_cast<std::ptrdiff_t>(shown))},
          {"total_energy", s.totalEnergy},
          {"total_energy_source", s.totalEnergySource},
          {"effective_rank_entropy", s.entropyRank},
          {"rank_90", s.rank90 >= 0 ? json(s.rank90) : json(nullptr)},
          {"rank_99", s.rank99 >= 0 ? json(s.rank99) : json(nullptr)},
          {"numerical_rank", s.numericalRank},
          {"tolerance", s.tolerance},
          {"marks", marks}};
}

json metricsJson(const Metrics& m) {
  json j = {{"reference", m.causalReference ? "dense, causal" : "dense"},
            {"output_relative_error", m.outputRelativeError},
            {"kl_dense_to_variant", klJson(m.klDenseToVariant)},
            {"kl_variant_to_dense", klJson(m.klVariantToDense)},
            {"entropy", {{"variant", summary(m.entropy)}, {"dense", summary(m.entropyDense)}, {"uniform", m.uniformEntropy}}},
            {"mean_distance", {{"variant", summary(m.distance)}, {"dense", summary(m.distanceDense)}}},
            {"attention_recall", summary(m.recall)},
            {"rows_not_distributions", m.rowsNotDistributions},
            {"frobenius_norm", std::sqrt(m.frobeniusSquared)},
            {"stripe_rows", m.stripeRows}};
  if (m.global)
    j["global_mass"] = {{"tokens", m.global->tokens}, {"source", m.global->source}, {"variant", m.global->variant}, {"dense", m.global->dense}};
  else
    j["global_mass"] = nullptr;
  if (m.memoryMassMean)
    j["memory_mass"] = {{"mean_over_segments", *m.memoryMassMean}, {"per_segment", m.memoryMassPerSegment}};
  else
    j["memory_mass"] = nullptr;
  return j;
}

json memoryJson(const MemoryTrace& t, const std::vector<std::string>* labels) {
  json snaps = json::array();
  for (const MemorySnapshotSummary& s : t.snapshots) {
    json sj = {{"segment", s.segment}, {"end_token", s.endToken}, {"slot_norms", s.slotNorms}};
    if (!s.provenance.empty()) {
      json prov = json::array();
      for (const SlotProvenance& p : s.provenance) {
        json top = json::array();
        for (const ProvenanceToken& tok : p.top) {
          json tj = {{"token", tok.token}, {"weight", tok.weight}};
          if (labels && tok.token < static_cast<int64_t>(labels->size())) tj["label"] = (*labels)[static_cast<size_t>(tok.token)];
          top.push_back(tj);
        }
        prov.push_back({{"top", top}, {"mean_position", p.meanPosition}, {"total", p.total}});
      }
      sj["provenance"] = prov;
    }
    snaps.push_back(sj);
  }
  return {{"slots", t.slotCount}, {"width", t.width}, {"snapshots", snaps}, {"memory_mass_per_segment", t.massPerSegment}, {"notes", t.notes}};
}

}  // namespace

json analysisToJson(const AnalysisResult& r, const std::vector<std::string>* labels) {
  json j;
  j["variant"] = r.variant;
  j["head"] = r.head;
  j["n"] = r.n;
  j["pairs"] = {{"computed", r.pairs.computed}, {"total", r.pairs.total}, {"fraction", r.pairs.fraction}, {"source", r.pairs.source}};
  j["map"] = r.map ? mapJson(*r.map) : json(nullptr);
  j["spectrum"] = r.spectrum ? spectrumJson(*r.spectrum) : json(nullptr);
  j["metrics"] = r.metrics ? metricsJson(*r.metrics) : json(nullptr);
  j["memory"] = r.memory ? memoryJson(*r.memory, labels) : json(nullptr);
  j["peak_workspace_bytes"] = r.peakWorkspaceBytes;
  j["time_ms"] = {{"map", r.mapMs}, {"spectrum", r.spectrumMs}, {"metrics", r.metricsMs}};
  j["notes"] = r.notes;
  j["computed_on"] = r.computedOn;
  return j;
}

}  // namespace attnscope
