// attnscope-cli bench: the machine's roof, then the variants on a fixed preset.
#pragma once

#include <string>

#include "cli_args.hpp"

namespace attnscope::cli {

int runBenchCommand(Args& args);
std::string benchUsage();

}  // namespace attnscope::cli
