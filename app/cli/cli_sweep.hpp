// attnscope-cli sweep: variants x lengths x parameter values, measured.
#pragma once

#include <string>

#include "cli_args.hpp"

namespace attnscope::cli {

int runSweepCommand(Args& args);
std::string sweepUsage();

}  // namespace attnscope::cli
