// Turns one query block's row of layout tiles into the kernels' segments:
// runs of adjacent tiles whose allowed keys form one interval per row (Full,
// undilated Band, the causal diagonal, GlobalOnly and global rows) merge into
// segments of up to maxSegment keys described by per-row [lo, hi]; other
// tiles (Bits, dilated bands, pieces holding a global column) become segments
// with an element mask, still with tight per-row ranges, so a global column
// costs one 16-key stripe per row group, not a tile, and a global row one
// pass over the keys: g globals cost O(g n d). One plan per worker, reused, so the
// kernel allocates nothing per tile once warm.
#pragma once

#include <cstdint>
#include <vector>

#include "attention/block_layout.hpp"
#include "backend/cpu/isa_table.hpp"

namespace attnscope::cpu {

class SegmentPlan {
 public:
  void build(const BlockLayout& layout, int64_t qb, int maxSegment);
  const std::vector<Segment>& segments() const { return segs_; }
  int64_t tiles() const { return tiles_; }
  int64_t pairs() const { return pairs_; }
  int64_t rows() const { return rows_; }

 private:
  void closeRun();
  void addMasked(const BlockLayout& layout, int64_t entry, int64_t p0, int64_t p1);
  void addGlobalColumns(const BlockLayout& layout, int64_t p0, int64_t p1, const uint8_t* gCol);
  void pushSegment(int64_t j0, int64_t w, bool full, const int64_t* lo, const int64_t* hi, int64_t maskOffset);

  std::vector<Segment> segs_;
  std::vector<int64_t> rangeOff_, maskOff_;
  std::vector<int32_t> ranges_;
  std::vector<uint8_t> masks_;
  std::vector<int64_t> runLo_, runHi_, pieceLo_, pieceHi_;
  int64_t i0_ = 0, rows_ = 0, runJ0_ = 0, runEnd_ = 0;
  bool runOpen_ = false;
  int64_t tiles_ = 0, pairs_ = 0;
};

}  // namespace attnscope::cpu
