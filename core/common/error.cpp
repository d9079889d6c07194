#include "common/error.hpp"

namespace attnscope {

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument: return "invalid argument";
    case ErrorKind::Io: return "i/o error";
    case ErrorKind::Format: return "format error";
    case ErrorKind::Truncated: return "truncated";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::TooLarge: return "too large";
    case ErrorKind::BadValue: return "bad value";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Unavailable: return "unavailable";
  }
  return "error";
}

}  // namespace attnscope
