// Sweep results as CSV (one row per point), JSON (points, series, spec) and
// the field's table (one row per series, from the measured exponents).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "experiment/sweep.hpp"

namespace attnscope {

// Columns, in order (the schema the tests hold):
// variant,family,params,n,status,message,time_median_ms,time_min_ms,time_max_ms,repeats,
// run_bytes,workspace_peak_bytes,workspace_predicted_bytes,process_peak_rss_bytes,
// flops,gflops_per_s,bytes_moved,gb_per_s,error_vs_dense
std::string sweepCsvHeader();
std::string sweepToCsv(const SweepResult& result);
nlohmann::json sweepToJson(const SweepResult& result);

// Plain-text table: variant, family, claimed complexity, measured time and
// memory exponents (with R²), error against dense, what it suits, what it loses.
std::string fieldTable(const SweepResult& result);

// How "memory" is defined for the fits, written into every export.
extern const char* const kSweepMemoryDefinition;

}  // namespace attnscope
