// The flash layout's attention operator A, for the analysis on the GPU: one
// kernel walks a head's listed tiles like the forward and, from the rows'
// log-sum-exps, forms A's entries exactly (a = exp(s - lse_i)) to
//   Lse:             write each row's log-sum-exp (the pass the others need),
//   Apply:           out = A x         (any number of columns),
//   ApplyTransposed: out = A^T y       (atomics into the key rows),
//   Map:             sum, max and computed-pair count of A per grid cell.
// fp32 throughout, as the CPU's operator. Host params and entry; no CUDA headers.
#pragma once

#include <cstdint>
#include <string>

#include "analysis/map_grid.hpp"

#include "flash_launch.hpp"
#include "flash_layout.hpp"

namespace attnscope::kernels {

enum class ProbeMode : int32_t { Lse = 0, Apply = 1, ApplyTransposed = 2, Map = 3 };

struct FlashProbeParams {
  ProbeMode mode = ProbeMode::Lse;
  // One head: Q [n x d], K [nKeys x d], row-major fp32.
  const float* q = nullptr;
  const float* k = nullptr;
  int64_t n = 0, nKeys = 0;
  int d = 0;
  float scale = 1.0f;  // multiplies Q K^T
  int head = 0;        // the layout's head index (0 for a shared layout)
  float* lse = nullptr;  // [n]: written by Lse, read by every other mode

  // Apply: x [nKeys x columns], out [n x columns]; ApplyTransposed: x is y
  // [n x columns], out [nKeys x columns]. out must be zero before the launch.
  const float* x = nullptr;
  float* out = nullptr;
  int64_t columns = 0;

  // Map: region [i0, i1) x [j0, j1) pooled to rows x cols cells (the
  // MapGrid rule); the three arrays are zero before the launch. max holds
  // float bits (A >= 0, so unsigned order is float order).
  int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0, rows = 0, cols = 0;
  float* mapSum = nullptr;
  uint32_t* mapMax = nullptr;
  unsigned long long* mapCount = nullptr;  // computed pairs per cell
  // Keys from spreadStart on are summaries (hierarchical): key spreadStart + c
  // stands for the tokens [c * spreadBlock, min(tokens, (c + 1) * spreadBlock)),
  // each with an equal share of its weight, and is not a computed pair.
  // -1: every key is a token.
  int64_t spreadStart = -1, spreadBlock = 1, tokens = 0;

  FlashLayoutView layout;
};

// Tile shape: 32 query rows x 32 key slots per step, Q and K staged 32
// columns of d at a time (any d), 256 threads: each scores 4 pairs of one
// row. A small tile keeps a zoomed map's work in proportion to its region.
inline constexpr int kProbeRows = 32, kProbeSlots = 32, kProbeDepth = 32, kProbeThreads = 256;
inline constexpr int kProbeStride = kProbeDepth + 1;  // padded rows: no bank conflicts on column reads

// Dynamic shared memory (host and device agree on it): Q, K, A and x/y
// chunks, the map's per-run accumulators, the slot table.
inline constexpr int64_t kProbeTileFloats = kProbeRows * kProbeStride;
inline constexpr int64_t kProbeRunCells = kProbeRows * kProbeSlots;
inline constexpr int64_t kProbeSlotTableBytes = kProbeSlots * (sizeof(int64_t) + sizeof(int32_t) + 2);
inline constexpr int64_t kProbeSmemBytes =
    4 * kProbeTileFloats * 4 + kProbeRunCells * (4 + 4 + 8) + kProbeRunCells /* allowed flags */ + kProbeSlotTableBytes;

// Grid of a launch: one block per 32-row query tile of the head.
inline int64_t probeGridTiles(const FlashLayoutView& v) { return flashGridTiles(v, kProbeRows); }

// Host pieces (flash_probe_host.cpp, no CUDA; the CPU suite tests them).
// Empty when the params are consistent; otherwise what is wrong.
std::string probeCheckParams(const FlashProbeParams& p);
// The map region and cell counts of grid into a probe's params (any struct
// with the fields i0, i1, j0, j1, rows, cols: this one, LowRankMapParams).
template <typename Params>
void copyMapRegion(Params& p, const MapGrid& grid) {
  p.i0 = grid.i0;
  p.i1 = grid.i1;
  p.j0 = grid.j0;
  p.j1 = grid.j1;
  p.rows = grid.rows;
  p.cols = grid.cols;
}
// copyMapRegion, and mode Map.
void setProbeRegion(FlashProbeParams& p, const MapGrid& grid);
// The kernel's cell arrays (rows x cols, as downloaded) added into grid:
// sum and max as they are, the computed count as a fraction of each cell's pairs.
void addProbeCells(MapGrid& grid, const float* sum, const uint32_t* maxBits, const unsigned long long* count);
// Only the sum and the max (float bits of values >= 0) of each cell, as the low-rank map kernel writes them.
void addCellSumsAndMaxima(MapGrid& grid, const float* sum, const uint32_t* maxBits);

// Device pointers; returns a cudaError_t.
int launchFlashProbe(const FlashProbeParams& p, FlashStream stream);

}  // namespace attnscope::kernels
