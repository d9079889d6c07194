// libFuzzer harness for the csv loader.
#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return attnscope::fuzz::fuzzOne(data, size, attnscope::loadCsv);
}
