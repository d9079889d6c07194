// A small session for page suites: the document sample at n tokens, one head
// of width 16, one repeat, the given variants with their default parameters.
#pragma once

#include <string>
#include <vector>

#include "attention/registry.hpp"
#include "session_model.hpp"

namespace attnscope::testing {

inline SessionState smallSession(std::vector<std::string> variants, int64_t n = 512) {
  SessionState s;
  s.base.sample = "document";
  s.base.n = n;
  s.base.features.heads = 1;
  s.base.features.d = 16;
  s.base.repeats = 1;
  s.base.warmup = 0;
  s.variants = variants;
  for (const std::string& v : variants) s.variantSpecs.push_back(makeSpec(v));
  s.base.attention = s.variantSpecs.front();
  return s;
}

}  // namespace attnscope::testing
