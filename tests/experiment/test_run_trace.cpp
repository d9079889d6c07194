// One measured run: warm-up plus repeats, the three memory figures, FLOP/s
// and GB/s, and the Chrome trace with every repeat and the phase spans.
#include <QtTest>

#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "attention/registry.hpp"
#include "experiment/json_export.hpp"
#include "experiment/run.hpp"

using namespace attnscope;

namespace {
RunSpec spec(const std::string& variant) {
  RunSpec s;
  s.n = 512;
  s.features.heads = 2;
  s.features.d = 32;
  s.warmup = 1;
  s.repeats = 3;
  s.attention = makeSpec(variant);
  return s;
}
}  // namespace

class TestRunTrace : public QObject {
  Q_OBJECT

 private slots:
  void repeatsGiveMedianMinMax() {
    const RunResult r = runFromSpec(spec("dense"));
    QCOMPARE(r.time.samplesMs.size(), size_t{3});
    QVERIFY(r.time.minMs <= r.time.medianMs && r.time.medianMs <= r.time.maxMs);
    QVERIFY(r.gflops > 0);
    QVERIFY(r.gbPerS > 0);
    // FLOPs: 4 d per pair for dense (d = dv).
    QCOMPARE(r.predicted.flops, 512.0 * 512.0 * 2 * 4 * 32);
    QCOMPARE(r.memory.tensorBytes, int64_t{4} * 2 * 512 * 4 * 32);
    QCOMPARE(r.memory.runBytes, r.memory.tensorBytes + r.memory.workspacePeakBytes);
    const nlohmann::json j = resultToJson(r);
    for (const char* key : {"workspace_peak_bytes", "workspace_predicted_bytes", "workspace_measured_over_predicted", "process_peak_rss_bytes", "run_bytes"})
      QVERIFY2(j["memory"].contains(key), key);
    QVERIFY(j["gb_per_s"].get<double>() > 0);
    QVERIFY(j.contains("flops_convention"));
  }

  void chromeTraceParsesAndHasThePhases() {
    RunSpec s = spec("sliding_window");
    MapRequest map;
    map.maxCells = 64;
    s.map = map;
    const RunResult r = runFromSpec(s);
    const nlohmann::json trace = nlohmann::json::parse(r.trace.toChromeJson());
    QVERIFY(trace["traceEvents"].is_array());
    std::multiset<std::string> names;
    std::set<int> phaseTracks;
    double earliest = 1e300;
    for (const auto& e : trace["traceEvents"]) {
      QVERIFY(e.contains("ph") && e.contains("pid"));
      QVERIFY(e["pid"].is_number_integer());
      if (e["ph"] != "X") continue;
      QVERIFY(e["tid"].is_number_integer());
      QVERIFY(e["dur"].get<double>() >= 0);
      earliest = std::min(earliest, e["ts"].get<double>());
      const std::string name = e["name"];
      names.insert(name);
      if (name == "scores/softmax") phaseTracks.insert(e["tid"].get<int>());
    }
    QCOMPARE(earliest, 0.0);
    for (const char* phase : {"load input", "featurize (embeddings, Q/K/V projections)", "scores/softmax", "output", "map probe", "warm-up 1", "repeat 1",
                              "repeat 2", "repeat 3"})
      QVERIFY2(names.count(phase) > 0, phase);
    // Each head of each of the four runs (and the probe's pass) records its phase totals.
    QVERIFY(names.count("head 0") == 4 && names.count("head 1") == 4);
    QVERIFY(names.count("scores/softmax") >= 8);
    for (int track : phaseTracks) QVERIFY(track >= kPhaseTotalsTrackBase);
    // Tracks have names.
    bool namedPhaseTrack = false;
    for (const auto& e : trace["traceEvents"])
      if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"].get<std::string>().find("phase totals") != std::string::npos) namedPhaseTrack = true;
    QVERIFY(namedPhaseTrack);
    // The phase totals of one forward pass fit inside it (the workers run in parallel).
    const nlohmann::json j = resultToJson(r);
    QVERIFY(j["span_totals_ms"]["scores/softmax"].get<double>() > 0);
  }

  // Short inputs run a head per worker: each worker's phase totals keep to
  // their own track, so the spans of one track never overlap.
  void phaseTotalsOfHeadsSideBySideKeepApart() {
    RunSpec s = spec("sliding_window");
    s.n = 300;
    s.features.heads = 12;
    const RunResult r = runFromSpec(s);
    std::map<int, std::vector<std::pair<int64_t, int64_t>>> byTrack;
    for (const Span& sp : r.trace.spans)
      if (sp.track >= kPhaseTotalsTrackBase) byTrack[sp.track].emplace_back(sp.startNs, sp.startNs + sp.durationNs);
    QVERIFY(!byTrack.empty());
    for (auto& [track, spans] : byTrack) {
      std::sort(spans.begin(), spans.end());
      for (size_t i = 1; i < spans.size(); ++i)
        QVERIFY2(spans[i].first >= spans[i - 1].second, qPrintable(QString("track %1: spans overlap").arg(track)));
    }
  }

  void factorVariantHasProjectionSpans() {
    const RunResult r = runFromSpec(spec("linformer"));
    bool projections = false;
    for (const Span& s : r.trace.spans) projections = projections || s.name == "linformer projections";
    QVERIFY(projections);
  }
};

QTEST_GUILESS_MAIN(TestRunTrace)
#include "test_run_trace.moc"
