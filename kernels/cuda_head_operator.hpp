// The CUDA backend's operator A of one head, for maps, spectra and metrics
// (Backend::headOperator): the flash layout's masked softmax or a factored A
// (lowrank_probe_operator.hpp); nullptr with why for any other.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/head_operator.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

class ProbeDevice;
// The GPU as the flash probe's device (flash_probe_operator.hpp).
std::unique_ptr<ProbeDevice> cudaProbeDevice();

std::unique_ptr<HeadOperator> cudaHeadOperator(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels,
                                               const ExecContext& host, std::string* why);

}  // namespace attnscope::kernels
