// The CLI's commands, on the shared flag reader (app/common).
#pragma once

#include <string>

#include "flag_reader.hpp"
#include "spec_flags.hpp"

namespace attnscope::cli {

using flags::Args;
using flags::UsageError;
using flags::loadFlagsUsage;
using flags::parseLoadFlag;

int runInfo(Args& args);
int runRun(Args& args);
std::string runUsage();
int runLessonCommand(Args& args);
std::string lessonUsage();

}  // namespace attnscope::cli
