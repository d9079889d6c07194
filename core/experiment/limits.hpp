// The one set of limits for what a run may ask for. The CLI's flags, the GUI's
// options and spin boxes, and session files all check against these.
#pragma once

#include <cstdint>

namespace attnscope::limits {

struct Range {
  int64_t min, max;
  constexpr bool contains(int64_t v) const { return v >= min && v <= max; }
};

constexpr Range kLength{1, int64_t{1} << 24};  // tokens (n); the memory guard decides what fits
constexpr Range kHeads{1, 256};
constexpr Range kHeadWidth{1, 1024};            // d
constexpr Range kRepeats{1, 1000};
constexpr Range kWarmup{0, 100};
constexpr Range kMapHead{0, kHeads.max - 1};

}  // namespace attnscope::limits
