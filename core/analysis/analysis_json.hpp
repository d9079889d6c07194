// An AnalysisResult as JSON: the "analysis" object of the run record.
// Every number is named for what it is; see docs/analysis.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/analysis_run.hpp"

namespace attnscope {

// labels (may be null) name the tokens in the memory provenance.
nlohmann::json analysisToJson(const AnalysisResult& result, const std::vector<std::string>* labels = nullptr);

}  // namespace attnscope
