// The map of a factored A (attention/low_rank_factors.hpp) on the GPU:
// linformer's and performer's pooled map needs every entry of A, n^2 r
// multiply-adds that the factored products avoid, so one kernel forms A's
// entries a = s_i (L_i . R_j) tile by tile and pools them into the grid's
// cells (the MapGrid rule) with the sum and the max, as the CPU's map does.
// fp32 throughout. Host params and entry; no CUDA headers.
#pragma once

#include <cstdint>
#include <string>

#include "analysis/map_grid.hpp"
#include "flash_launch.hpp"

namespace attnscope::kernels {

struct LowRankMapParams {
  // Row-major fp32: L [n x rank], R [nKeys x rank], s [n] (null: every s_i is 1).
  const float* left = nullptr;
  const float* right = nullptr;
  const float* rowScale = nullptr;
  int64_t n = 0, nKeys = 0;
  int rank = 0;
  bool causal = false;  // a = 0 for j > i
  // Region [i0, i1) x [j0, j1) pooled to rows x cols cells; both arrays zero
  // before the launch. max holds float bits of values >= 0 (the grid's max
  // starts at 0), so unsigned order is float order.
  int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0, rows = 0, cols = 0;
  float* mapSum = nullptr;
  uint32_t* mapMax = nullptr;
};

// Tile: 64 query rows x 64 keys per block, 256 threads of 4 x 4 entries each
// (rows 4ty.., keys 4tx..), L and R staged transposed, 32 columns of the rank
// at a time, so each step of a thread reads its 4 rows and 4 keys as two
// 16-byte loads for 16 multiply-adds. (Strided rows, one float per load,
// made it 8 loads per 16: shared-memory bound at half the FMA rate, by the
// count of loads per multiply-add, not measured.) The staging fills consecutive
// rows per warp, so the transposed stores do not conflict. The entries then
// replace the staged factors in shared memory for the pooling.
inline constexpr int kLowRankTile = 64, kLowRankDepth = 32, kLowRankThreads = 256;
inline constexpr int kLowRankEntryStride = kLowRankTile + 1;
inline constexpr int64_t kLowRankFactorFloats = 2 * kLowRankDepth * kLowRankTile;
inline constexpr int64_t kLowRankEntryFloats = kLowRankTile * kLowRankEntryStride;
inline constexpr int64_t kLowRankStageFloats = kLowRankFactorFloats > kLowRankEntryFloats ? kLowRankFactorFloats : kLowRankEntryFloats;
// Stage (factors, then entries and per-run sums) and per-run maxima.
inline constexpr int64_t kLowRankSmemBytes = 4 * kLowRankStageFloats + 4 * kLowRankTile * kLowRankTile;

// Tiles of the region: x over its key tiles, y over its row tiles. A launch
// has min(tiles y, kLowRankMaxGridY) blocks in y, each taking every
// gridDim.y-th row tile, so any height fits one launch.
inline constexpr int64_t kLowRankMaxGridY = 65535;
inline int64_t lowRankMapTilesX(const LowRankMapParams& p) { return (p.j1 - p.j0 + kLowRankTile - 1) / kLowRankTile; }
inline int64_t lowRankMapTilesY(const LowRankMapParams& p) { return (p.i1 - p.i0 + kLowRankTile - 1) / kLowRankTile; }
inline int64_t lowRankMapGridY(const LowRankMapParams& p) { return lowRankMapTilesY(p) < kLowRankMaxGridY ? lowRankMapTilesY(p) : kLowRankMaxGridY; }

// Host pieces (lowrank_map_host.cpp, no CUDA; the CPU suite tests them).
// Empty when the params are consistent and the grid fits a launch; otherwise what is wrong.
std::string lowRankMapCheckParams(const LowRankMapParams& p);
// The grid's region goes into p through copyMapRegion (flash_probe.hpp).
// The kernel's cell arrays (rows x cols, as downloaded) go into the grid
// through addCellSumsAndMaxima (flash_probe.hpp).

// Device pointers; returns a cudaError_t.
int launchLowRankMap(const LowRankMapParams& p, FlashStream stream);

}  // namespace attnscope::kernels
