// A small, strict command-line reader shared by attnscope-cli and attnscope:
// every flag is known, every value is checked, every mistake names the flag.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiment/limits.hpp"
#include "sequence/loader.hpp"

namespace attnscope::flags {

class Args {
 public:
  Args(std::vector<std::string> items) : items_(std::move(items)) {}
  bool empty() const { return pos_ >= items_.size(); }
  // Next token, which must be a flag ("--name"); value flags take the next token.
  std::string nextFlag();
  std::string value(const std::string& flag);
  int64_t intValue(const std::string& flag, int64_t min, int64_t max);
  int64_t intValue(const std::string& flag, limits::Range range) { return intValue(flag, range.min, range.max); }
  double doubleValue(const std::string& flag, double min, double max);
  // A byte count with an optional K, M, G or T suffix (powers of 1024).
  int64_t bytesValue(const std::string& flag);
  // Whether --help or -h is among the remaining items.
  bool wantsHelp() const;

 private:
  std::vector<std::string> items_;
  size_t pos_ = 0;
};

// Thrown for usage errors (exit status 2).
struct UsageError {
  std::string message;
};

// Loader flags shared by every command that reads input (--column, --kmer,
// --tensor, ...). Returns false when the flag is not a loader flag.
bool parseLoadFlag(const std::string& flag, Args& args, LoadOptions& options);
std::string loadFlagsUsage();

}  // namespace attnscope::flags
