// Shared by the libFuzzer harnesses and the corpus regression suite: runs
// one loader on bytes in memory with options derived from the bytes, and
// checks what comes back. Loader errors are fine; anything else is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.hpp"
#include "sequence/loader.hpp"
#include "sequence/source.hpp"

namespace attnscope::fuzz {

using LoaderFn = Sequence (*)(Source&, const LoadOptions&);

// Small caps keep every run fast; the selector varies chunk size (tiny
// chunks exercise the streaming seams), modes, k-mers and policies.
inline LoadOptions fuzzOptions(const uint8_t* data, size_t size) {
  const unsigned sel = static_cast<unsigned>(size % 251) ^ (size ? data[size / 2] : 0u);
  LoadOptions o;
  o.maxTokens = 4096;
  o.maxBytes = 64u << 20;
  o.chunkBytes = (sel & 1) ? 7 : 4096;
  o.textMode = (sel & 2) ? TextMode::Bytes : TextMode::Words;
  o.kmer = 1 + static_cast<int>((sel >> 2) % 6);
  o.kmerStride = (sel & 0x20) ? 0 : 1;
  o.missing = static_cast<MissingPolicy>((sel >> 5) % 3);
  o.allowNonFinite = (sel & 0x40) != 0;
  static const TensorRole roles[] = {TensorRole::Auto, TensorRole::Qkv, TensorRole::Embeddings, TensorRole::Auto};
  o.role = roles[(sel >> 6) % 4];
  o.csvHeader = static_cast<HeaderMode>((sel >> 3) % 3);
  if (sel & 0x80) o.fastaRecordIndex = 1;
  return o;
}

// Invariants every loaded Sequence must hold.
inline void checkSequence(const Sequence& s, const LoadOptions& o) {
  if (s.length() < 1) std::abort();
  if (s.length() > o.maxTokens) std::abort();
  if (s.hasQkv) s.qkv.checkShapes();
  if (!s.hasQkv && s.embeddings.rows() > 0 && !s.labels.empty() && static_cast<int64_t>(s.labels.size()) != s.embeddings.rows()) std::abort();
}

inline void runLoader(const uint8_t* data, size_t size, LoaderFn loader, const LoadOptions& options) {
  auto source = memorySource(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz-input");
  try {
    checkSequence(loader(*source, options), options);
  } catch (const Error&) {
  }
}

inline int fuzzOne(const uint8_t* data, size_t size, LoaderFn loader) {
  runLoader(data, size, loader, fuzzOptions(data, size));
  return 0;
}

}  // namespace attnscope::fuzz
