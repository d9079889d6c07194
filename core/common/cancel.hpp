// Cooperative cancellation: long work checks the token between pieces
// (tiles, heads, rows) and stops with Error(Cancelled).
#pragma once

#include <atomic>

#include "common/error.hpp"

namespace attnscope {

struct CancelToken {
  std::atomic<bool> cancelled{false};
  void cancel() { cancelled.store(true); }
  bool isCancelled() const { return cancelled.load(); }
  void check() const {
    if (isCancelled()) throw Error(ErrorKind::Cancelled, "cancelled");
  }
};

inline void checkCancelled(const CancelToken* token) {
  if (token) token->check();
}

}  // namespace attnscope
