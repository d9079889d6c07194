// Flags that control how input files are read.
#include "cli_args.hpp"

namespace attnscope::cli {

bool parseLoadFlag(const std::string& flag, Args& args, LoadOptions& options) {
  if (flag == "--max-tokens") {
    options.maxTokens = args.intValue(flag, 1, int64_t{1} << 26);
    return true;
  }
  if (flag == "--allow-nonfinite") {
    options.allowNonFinite = true;
    return true;
  }
  return false;
}

std::string loadFlagsUsage() {
  return "  --max-tokens N       cap on positions read from a file (default 4194304)\n"
         "  --allow-nonfinite    accept NaN/Inf in numeric inputs\n";
}

}  // namespace attnscope::cli
