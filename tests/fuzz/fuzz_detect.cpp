// libFuzzer harness for the single entry: format detection, then whichever loader it picks.
#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return attnscope::fuzz::fuzzOne(data, size, [](attnscope::Source& s, const attnscope::LoadOptions& o) { return attnscope::loadSequence(s, o); });
}
