// Built-in samples, generated from a seed at any length, each with long-range
// structure that shows in the maps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sequence/sequence.hpp"

namespace attnscope {

struct SampleInfo {
  std::string name;
  std::string description;
  int64_t defaultLength;
};

const std::vector<SampleInfo>& sampleList();
// Throws Error(InvalidArgument) for an unknown name or n < 1.
Sequence makeSample(const std::string& name, int64_t n, uint64_t seed = 1);

// The generators behind makeSample.
Sequence makeDocumentSample(int64_t n, uint64_t seed);
// Enhancer-promoter pairs thousands of bases apart; labels are k-mers (k = 1: bases).
Sequence makeDnaSample(int64_t n, uint64_t seed, int k = 6);
// Hourly values with a daily cycle and a shock that echoes months later.
Sequence makeTimeSeriesSample(int64_t n, uint64_t seed);

}  // namespace attnscope
