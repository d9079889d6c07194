// The emulated forward of a variant's GPU route against the CPU backend:
// the route's inputs (`ext`, possibly extended or rewritten) and layout on
// the emulated flash kernel, each head compared by compareWithCpu with the
// CPU backend's run of `spec` on the plain `qkv`. A 16-bit route whose
// widths the sm_90 wgmma kernel has runs on it too, held to the same bound.
#pragma once

#include <string>

#include "backend/backend.hpp"
#include "emu_flash_runner.hpp"
#include "flash_cases.hpp"
#include "flash_traits.hpp"

namespace attnscope::testing {

// Empty when every head agrees and nothing was written out of bounds, else
// what is wrong; `out` receives the emulated output when given.
inline std::string emulatedAgainstCpu(const AttentionSpec& spec, const Qkv& qkv, const Qkv& ext, const BlockLayout& layout, kernels::FlashElement e,
                                      uint64_t seed, float scale = 0.0f, EmulatedOutput* out = nullptr) {
  const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
  const std::vector<uint8_t> mask = pairMask(layout);
  const auto check = [&](const EmulatedOutput& got) {
    if (!got.guardsIntact) return got.kernel + ": the kernel wrote past its output";
    for (size_t h = 0; h < ext.q.size(); ++h) {
      const std::string why = compareWithCpu(got.output[h], cpu.output[h], ext.q[h], ext.k[h], ext.v[h], mask, e, scale);
      if (!why.empty()) return got.kernel + ", head " + std::to_string(h) + ": " + why;
    }
    return std::string();
  };
  EmulatedOutput got = runEmulated(ext, {&layout}, e, emu::Order::Shuffled, seed, scale);
  std::string wrong = check(got);
  if (wrong.empty() && e != kernels::FlashElement::Fp32 && kernels::wgmmaWidthPair(static_cast<int>(ext.d()), static_cast<int>(ext.dv())))
    wrong = check(runEmulated(ext, {&layout}, e, emu::Order::Shuffled, seed, scale, kernels::FlashPath::Wgmma));
  if (out) *out = std::move(got);
  return wrong;
}

}  // namespace attnscope::testing
