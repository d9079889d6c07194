// One exception type for every user-facing failure, with a kind that tests can check.
#pragma once

#include <stdexcept>
#include <string>

namespace attnscope {

enum class ErrorKind {
  InvalidArgument,  // a parameter, flag or request is out of range or malformed
  Io,               // a file could not be opened, read or written
  Format,           // a file is not in the format it claims, or is corrupt
  Truncated,        // a file ends before its own header says it should
  Unsupported,      // well-formed but not something we handle (dtype, order, causal, ...)
  TooLarge,         // would exceed a cap or the memory budget
  BadValue,         // NaN or Inf where finite numbers are required
  Cancelled,        // the user asked to stop
  Unavailable,      // a backend or device is not usable here
};

const char* errorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace attnscope
