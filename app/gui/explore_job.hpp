// What the explorer asks of the engine for one spec, and what comes back: the
// computed-pair mask over the whole input at display resolution, the exact
// pair count, the cost model's figures beside dense's, and the effective map
// over the mask region's first tokens. Cheap enough to follow a slider; runs on a worker
// (JobRunner::startExplore), never on the GUI thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "analysis/analysis_run.hpp"
#include "analysis/layout_raster.hpp"
#include "attention/variant.hpp"

namespace attnscope {

struct PreparedInput;

struct ExploreRequest {
  std::shared_ptr<const PreparedInput> input;  // the compare batch's Q, K, V; null: the mask from n alone
  AttentionSpec spec;
  int64_t n = 0;              // tokens when there is no input
  int64_t d = 64;
  int head = 0;
  int64_t maskCells = 512;    // per side
  // The mask's region: rows [i0, i1) by keys [j0, j1); -1: to the end (the whole input).
  int64_t maskI0 = 0, maskI1 = -1, maskJ0 = 0, maskJ1 = -1;
  // The effective map, one cell per pair, over at most this many rows and keys
  // from the mask region's first row and key (so it follows a zoom); 0: none.
  int64_t previewTokens = 256;
};

struct ExploreResult {
  AttentionSpec spec;
  int64_t n = 0;
  std::optional<LayoutRaster> mask;  // none: the variant has no fixed set of pairs (its family says why)
  std::string family;
  std::string title;
  PairCount pairs;
  CostEstimate cost, denseCost;
  std::string complexity;
  std::optional<MapGrid> preview;    // none without an input
  std::string error;           // an invalid spec: why (nothing else is filled)
  double ms = 0;
};

ExploreResult exploreSpec(const ExploreRequest& request, const CancelToken* cancel = nullptr);

}  // namespace attnscope
