// Error messages every loader shares: "<file>: line 12: problem" or
// "<file>: at byte 4096: problem", so a user can find the place.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.hpp"

namespace attnscope {

[[noreturn]] inline void failAtByte(ErrorKind kind, const std::string& file, uint64_t offset, const std::string& what) {
  throw Error(kind, file + ": at byte " + std::to_string(offset) + ": " + what);
}

[[noreturn]] inline void failAtLine(ErrorKind kind, const std::string& file, uint64_t line, const std::string& what) {
  throw Error(kind, file + ": line " + std::to_string(line) + ": " + what);
}

[[noreturn]] inline void failFile(ErrorKind kind, const std::string& file, const std::string& what) {
  throw Error(kind, file + ": " + what);
}

// Quotes a short excerpt of untrusted text for a message: printable ASCII
// kept, everything else as \xNN, at most 40 bytes.
std::string quoteForMessage(std::string_view text);

}  // namespace attnscope
