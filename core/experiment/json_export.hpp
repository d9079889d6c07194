// Run results as JSON (the CLI's --out-json and the GUI's export).
#pragma once

#include <nlohmann/json.hpp>

#include "experiment/run.hpp"

namespace attnscope {

nlohmann::json specToJson(const RunSpec& spec);
nlohmann::json costToJson(const CostEstimate& cost);
nlohmann::json memoryToJson(const MemoryReport& memory);
// Total milliseconds per span name (phases, heads, repeats) over the whole trace.
nlohmann::json phaseTotalsMs(const Trace& trace);
nlohmann::json resultToJson(const RunResult& result);

// How "flops" is counted, written next to it in every record.
extern const char* const kFlopsConvention;

}  // namespace attnscope
