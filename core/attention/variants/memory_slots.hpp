// The memory-slot variant's starting point, exposed so tests can follow the
// recurrence by hand.
#pragma once

#include <cstdint>

#include "common/types.hpp"

namespace attnscope {

// M0 [slots x d]: seeded N(0, 1) slot queries for the first write. They never
// enter a value: the memory is empty until that first write (see memory_slots.cpp).
Mat memorySlotsInitialQueries(int64_t slots, int64_t d);

}  // namespace attnscope
