// A backend named "emulated-cuda" whose only ability is the GPU's analysis
// operators (makeDeviceHeadOperator: the flash probe or the factored map) on
// the emulated device, so the analysis' device path runs in every build.
// Included by one file of a suite; it registers itself.
#pragma once

#include "backend/backend.hpp"
#include "common/error.hpp"
#include "emu_probe_device.hpp"
#include "lowrank_probe_operator.hpp"

namespace attnscope::testing {

class EmulatedOperatorBackend final : public Backend {
 public:
  std::string name() const override { return "emulated-cuda"; }
  BackendStatus status() const override { return BackendStatus{}; }
  bool supports(const AttentionSpec&, const Shape*, std::string* why) const override {
    if (why) *why = "it only offers operators";
    return false;
  }
  int64_t freeMemoryBytes() const override { return 0; }
  std::vector<std::string> kernelVariants() const override { return {}; }
  AttentionResult run(const AttentionSpec&, const Qkv&, const RunOptions&) override {
    throw Error(ErrorKind::Unsupported, "emulated-cuda runs no forward");
  }
  std::unique_ptr<HeadOperator> headOperator(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels,
                                             const ExecContext& host, std::string* why) const override {
    return kernels::makeDeviceHeadOperator(emulatedProbeDevice(log), spec, qkv, head, labels, host, why);
  }
  static inline std::shared_ptr<ProbeDeviceLog> log = std::make_shared<ProbeDeviceLog>();
};

inline const RegisterBackend<EmulatedOperatorBackend> emulatedOperatorBackendRegistration;

}  // namespace attnscope::testing
