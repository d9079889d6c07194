// The run command's analysis flags (maps at any length, the computed-pair
// mask, spectra, metrics vs dense, memory traces) and the files they write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/analysis_run.hpp"
#include "cli_args.hpp"

namespace attnscope::cli {

struct AnalysisFlags {
  std::string outMap, outMask, outSpectrum, outMemory;
  std::optional<MapRequest> region;  // --map-region (rows and columns only)
  int64_t mapSize = 0;               // --map-size; 0: exact up to 4096 tokens a side, else 1024 cells
  int head = 0;                      // --map-head
  std::string colormap = "viridis";
  int64_t spectrumRank = 0;          // --spectrum-rank; 0: not given
  std::optional<bool> metrics;       // --metrics / --no-metrics; unset: on for n <= 4096 when JSON is written

  bool wantsMap() const { return !outMap.empty() || !outMask.empty(); }
  bool wantsSpectrum() const { return !outSpectrum.empty() || spectrumRank > 0; }
};

// Returns false when the flag is not an analysis flag.
bool parseAnalysisFlag(const std::string& flag, Args& args, AnalysisFlags& flags);
// Checks what can be checked before the input is loaded (file types, colormap,
// flags that need another flag, writable outputs).
void checkAnalysisFlags(const AnalysisFlags& flags);
// Whether to analyse at all, given the flags and whether a run record is written.
bool analysisWanted(const AnalysisFlags& flags, bool writesJson);
// The request for a loaded input of n tokens and the given heads; errors name the flag.
AnalysisRequest analysisRequestFor(const AnalysisFlags& flags, int64_t n, int heads, bool writesJson);
// Writes the requested files and records them in the analysis JSON.
// extras: the head's extras from the run (null when the backend gave none).
void writeAnalysisOutputs(const AnalysisFlags& flags, const AnalysisResult& result, const HeadExtras* extras, nlohmann::json& analysisJson);
// One line for stdout.
std::string analysisSummaryLine(const AnalysisResult& result);
std::string analysisUsage();

}  // namespace attnscope::cli
