// A factored head's operator A on a device (linformer, performer): the
// factors (HeadKernel::factors, attention/low_rank_factors.hpp) are formed
// once on the host, in O(n r d), and uploaded; every map grid is then one
// launch of the low-rank map kernel (lowrank_map.hpp), the n^2 r part.
// A x and A^T y stay on the host from the factors (analysis/
// low_rank_products): O(n r) per column, less than the copies to and from
// the device would cost.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "flash_probe_operator.hpp"

namespace attnscope::kernels {

// The operator over given factors; extras are the head's (from its forward), which it keeps for the analysis.
std::unique_ptr<HeadOperator> makeLowRankProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, LowRankFactors factors,
                                                       const ExecContext& host, HeadExtras extras = {});

// The device's operator for head `head`: over the factors where the variant
// is formed through them, else the flash probe's (flash_probe_operator.hpp);
// nullptr with why when neither can form it.
std::unique_ptr<HeadOperator> makeDeviceHeadOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const Qkv& qkv, int head,
                                                     const std::vector<std::string>* labels, const ExecContext& host, std::string* why);

}  // namespace attnscope::kernels
