// Run results as JSON (the CLI's --out-json and the GUI's export).
#pragma once

#include <nlohmann/json.hpp>

#include "experiment/run.hpp"

namespace attnscope {

nlohmann::json specToJson(const RunSpec& spec);
nlohmann::json costToJson(const CostEstimate& cost);
nlohmann::json resultToJson(const RunResult& result);

}  // namespace attnscope
