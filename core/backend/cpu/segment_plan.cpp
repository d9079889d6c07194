#include "backend/cpu/segment_plan.hpp"

#include <algorithm>
#include <cstring>

namespace attnscope::cpu {

void SegmentPlan::build(const BlockLayout& layout, int64_t qb, int maxSegment) {
  segs_.clear();
  rangeOff_.clear();
  maskOff_.clear();
  ranges_.clear();
  masks_.clear();
  tiles_ = pairs_ = 0;
  runOpen_ = false;
  const int64_t b = layout.block;
  i0_ = qb * b;
  rows_ = std::min(b, layout.n - i0_);
  for (auto* v : {&runLo_, &runHi_, &pieceLo_, &pieceHi_}) v->resize(static_cast<size_t>(rows_));
  const uint8_t* gCol = layout.globalCol.empty() ? nullptr : layout.globalCol.data();
  bool blockHasGlobalRow = false;
  for (int64_t r = 0; r < rows_ && !blockHasGlobalRow; ++r) blockHasGlobalRow = layout.isGlobalRow(i0_ + r);
  for (int64_t e = layout.rowBegin(qb); e < layout.rowEnd(qb); ++e) {
    ++tiles_;
    const TileMask kind = layout.tileMask(e);
    const int64_t jt = static_cast<int64_t>(layout.tileCol(e)) * b, cols = std::min(b, layout.nKeys - jt);
    // A global row sees the whole piece, so rows stay intervals; only a global
    // column inside the piece breaks them.
    const bool rangedKind = kind == TileMask::Full || kind == TileMask::GlobalOnly || (kind == TileMask::Band && layout.dilation <= 1);
    for (int64_t p0 = jt; p0 < jt + cols; p0 += maxSegment) {
      const int64_t p1 = std::min(jt + cols, p0 + maxSegment);
      if (kind == TileMask::GlobalOnly && gCol && !blockHasGlobalRow) {
        // Only the global columns are allowed here: score the 16-key stripes
        // that hold them, not the whole piece under an element mask (which
        // cost a longformer row a tile of keys per global column).
        addGlobalColumns(layout, p0, p1, gCol);
        continue;
      }
      if (!rangedKind || (gCol && std::find(gCol + p0, gCol + p1, uint8_t{1}) != gCol + p1)) {
        closeRun();
        addMasked(layout, e, p0, p1);
        continue;
      }
      for (int64_t r = 0; r < rows_; ++r) {
        const int64_t i = i0_ + r;
        int64_t lo = p0, hi = p1 - 1;
        if (!layout.isGlobalRow(i)) {
          if (kind == TileMask::Band) lo = std::max(lo, i + layout.bandLo), hi = std::min(hi, i + layout.bandHi);
          if (kind == TileMask::GlobalOnly) hi = lo - 1;
        }
        if (layout.causal) hi = std::min(hi, i);
        pieceLo_[static_cast<size_t>(r)] = lo;
        pieceHi_[static_cast<size_t>(r)] = hi;
      }
      // Merge when the run stays short and every row's keys stay one interval.
      bool merge = runOpen_ && runEnd_ == p0 && runEnd_ - runJ0_ + (p1 - p0) <= maxSegment;
      for (int64_t r = 0; merge && r < rows_; ++r) {
        const size_t s = static_cast<size_t>(r);
        const bool runEmpty = runHi_[s] < runLo_[s], pieceEmpty = pieceHi_[s] < pieceLo_[s];
        if (!runEmpty && !pieceEmpty && !(runHi_[s] == p0 - 1 && pieceLo_[s] == p0)) merge = false;
      }
      if (merge) {
        for (size_t s = 0; s < static_cast<size_t>(rows_); ++s) {
          if (pieceHi_[s] < pieceLo_[s]) continue;
          if (runHi_[s] < runLo_[s]) runLo_[s] = pieceLo_[s];
          runHi_[s] = pieceHi_[s];
        }
        runEnd_ = p1;
      } else {
        closeRun();
        runOpen_ = true;
        runJ0_ = p0;
        runEnd_ = p1;
        runLo_.swap(pieceLo_);
        runHi_.swap(pieceHi_);
      }
    }
  }
  closeRun();
  // Vectors are final now: point the segments into them.
  for (size_t s = 0; s < segs_.size(); ++s) {
    if (rangeOff_[s] >= 0) {
      segs_[s].lo = ranges_.data() + rangeOff_[s];
      segs_[s].hi = segs_[s].lo + rows_;
    }
    if (maskOff_[s] >= 0) segs_[s].emask = masks_.data() + maskOff_[s];
  }
}

void SegmentPlan::pushSegment(int64_t j0, int64_t w, bool full, const int64_t* lo, const int64_t* hi, int64_t maskOffset) {
  Segment sg;
  sg.j0 = j0;
  sg.w = static_cast<int32_t>(w);
  sg.full = full ? 1 : 0;
  segs_.push_back(sg);
  maskOff_.push_back(maskOffset);
  if (full) {
    rangeOff_.push_back(-1);
    return;
  }
  rangeOff_.push_back(static_cast<int64_t>(ranges_.size()));
  for (int64_t r = 0; r < rows_; ++r) ranges_.push_back(static_cast<int32_t>(lo[r] - j0));
  for (int64_t r = 0; r < rows_; ++r) ranges_.push_back(static_cast<int32_t>(hi[r] - j0));
}

void SegmentPlan::closeRun() {
  if (!runOpen_) return;
  runOpen_ = false;
  bool full = true;
  int64_t pairs = 0;
  for (size_t s = 0; s < static_cast<size_t>(rows_); ++s) {
    pairs += std::max<int64_t>(0, runHi_[s] - runLo_[s] + 1);
    full = full && runLo_[s] == runJ0_ && runHi_[s] == runEnd_ - 1;
  }
  if (pairs == 0) return;
  pairs_ += pairs;
  pushSegment(runJ0_, runEnd_ - runJ0_, full, runLo_.data(), runHi_.data(), -1);
}

void SegmentPlan::addGlobalColumns(const BlockLayout& layout, int64_t p0, int64_t p1, const uint8_t* gCol) {
  for (int64_t c = p0; c < p1;) {
    if (!gCol[c]) {
      ++c;
      continue;
    }
    int64_t c1 = c;
    while (c1 < p1 && gCol[c1]) ++c1;
    // One run per maximal stretch of global columns, widened to whole stripes
    // inside the piece; every row sees exactly [c, c1) (causal: up to itself).
    closeRun();
    for (int64_t r = 0; r < rows_; ++r) {
      const int64_t i = i0_ + r;
      pieceLo_[static_cast<size_t>(r)] = c;
      pieceHi_[static_cast<size_t>(r)] = layout.causal ? std::min(c1 - 1, i) : c1 - 1;
    }
    runOpen_ = true;
    runJ0_ = p0 + (c - p0) / kStripe * kStripe;
    runEnd_ = std::min(p1, p0 + (c1 - p0 + kStripe - 1) / kStripe * kStripe);
    runLo_.swap(pieceLo_);
    runHi_.swap(pieceHi_);
    closeRun();
    c = c1;
  }
}

void SegmentPlan::addMasked(const BlockLayout& layout, int64_t entry, int64_t p0, int64_t p1) {
  const int64_t w = p1 - p0, b = layout.block;
  const size_t off = masks_.size();
  masks_.resize(off + static_cast<size_t>(rows_ * w));
  const TileMask kind = layout.tileMask(entry);
  const uint8_t* gCol = layout.globalCol.empty() ? nullptr : layout.globalCol.data() + p0;
  int64_t pairs = 0;
  for (int64_t r = 0; r < rows_; ++r) {
    const int64_t i = i0_ + r;
    uint8_t* m = masks_.data() + off + r * w;
    const bool globalRow = layout.isGlobalRow(i);
    if (globalRow || kind == TileMask::Full) {
      std::memset(m, 1, static_cast<size_t>(w));
    } else {
      std::memset(m, 0, static_cast<size_t>(w));
      if (kind == TileMask::Band) {
        const int64_t lo = std::max(p0, i + layout.bandLo), hi = std::min(p1 - 1, i + layout.bandHi);
        const int64_t dil = std::max<int64_t>(1, layout.dilation);
        for (int64_t j = lo; j <= hi; ++j)
          if ((((j - i) % dil) + dil) % dil == 0) m[j - p0] = 1;
      } else if (kind == TileMask::Bits) {
        const uint64_t* words = layout.bits.data() + layout.bitsOffset[static_cast<size_t>(entry)];
        const int64_t rowBase = (i % b) * b;
        for (int64_t j = p0; j < p1; ++j) {
          const int64_t local = rowBase + j % b;
          m[j - p0] = static_cast<uint8_t>((words[local / 64] >> (local % 64)) & 1u);
        }
      }
      if (gCol)
        for (int64_t c = 0; c < w; ++c) m[c] |= gCol[c];
    }
    if (layout.causal)
      for (int64_t j = std::max(p0, i + 1); j < p1; ++j) m[j - p0] = 0;
    int64_t lo = w, hi = -1;
    for (int64_t c = 0; c < w; ++c)
      if (m[c]) {
        lo = std::min(lo, c);
        hi = c;
        ++pairs;
      }
    pieceLo_[static_cast<size_t>(r)] = p0 + lo;
    pieceHi_[static_cast<size_t>(r)] = p0 + hi;
  }
  if (pairs == 0) {
    masks_.resize(off);
    return;
  }
  pairs_ += pairs;
  pushSegment(p0, w, false, pieceLo_.data(), pieceHi_.data(), static_cast<int64_t>(off));
}

}  // namespace attnscope::cpu
