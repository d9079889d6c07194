// The run flags that attnscope-cli and attnscope share (input, features,
// variant, parameters, causal, backend, repeats), parsed in one place with one
// set of limits (experiment/limits.hpp).
#pragma once

#include <string>
#include <vector>

#include "experiment/run.hpp"
#include "flag_reader.hpp"

namespace attnscope::flags {

// Flags as given; finishSpec() turns them into a RunSpec once all are read, so
// their order does not matter (--causal before --variant keeps causal).
struct SpecFlags {
  RunSpec spec;                      // features, backend, repeats, load options as parsed
  std::string variant = "dense";
  std::vector<std::string> assignments;  // --param NAME=VALUE, in order
  Precision precision = Precision::Fp32;
  bool sampleGiven = false, nGiven = false, causal = false, variantGiven = false;
};

// Returns false when the flag is not a shared run flag (nor a loader flag).
bool parseSpecFlag(const std::string& flag, Args& args, SpecFlags& flags);

// Checks the combination and builds the spec. A file input without --n runs
// at the file's own length (n = 0); with --n it is cropped, with a warning.
RunSpec finishSpec(const SpecFlags& flags);

// Help lines for the shared flags.
std::string specFlagsUsage();

}  // namespace attnscope::flags
