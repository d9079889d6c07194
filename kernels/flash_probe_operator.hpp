// A head's attention operator A on a device, from the flash layout's probe
// kernel (flash_probe.hpp): Q, K and the layout are uploaded once and the
// rows' log-sum-exps computed once; then A X, A^T Y and map grids cost one
// launch each. The device is an interface, so the GPU backend and the CPU
// emulation in the tests run this same host code.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/head_operator.hpp"
#include "flash_probe.hpp"
#include "lowrank_map.hpp"
#include "sequence/sequence.hpp"

namespace attnscope::kernels {

// What the operator needs of a device. Every call is synchronous and throws
// Error(Unavailable) with the device's message on failure.
class ProbeDevice {
 public:
  virtual ~ProbeDevice() = default;
  virtual std::string name() const = 0;
  virtual void* allocate(size_t bytes) = 0;
  virtual void release(void* p) noexcept = 0;
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  virtual void zero(void* dst, size_t bytes) = 0;
  virtual void launch(const FlashProbeParams& p) = 0;
  // The factored A's map kernel (lowrank_map.hpp).
  virtual void launch(const LowRankMapParams& p) = 0;
};

// Device memory of a ProbeDevice, released with it.
class ProbeBuffer {
 public:
  ProbeBuffer() = default;
  ProbeBuffer(ProbeDevice& device, size_t bytes) : device_(&device), bytes_(bytes), ptr_(bytes ? device.allocate(bytes) : nullptr) {}
  ~ProbeBuffer() {
    if (ptr_) device_->release(ptr_);
  }
  ProbeBuffer(ProbeBuffer&& o) noexcept : device_(o.device_), bytes_(o.bytes_), ptr_(o.ptr_) { o.ptr_ = nullptr; }
  ProbeBuffer& operator=(ProbeBuffer&& o) noexcept {
    std::swap(device_, o.device_);
    std::swap(bytes_, o.bytes_);
    std::swap(ptr_, o.ptr_);
    return *this;
  }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }

 private:
  ProbeDevice* device_ = nullptr;
  size_t bytes_ = 0;
  void* ptr_ = nullptr;
};

// What the probe forms one head's A from: the layout's queries and keys
// (keys possibly extended past the tokens), the score scale, and for
// hierarchical the summary keys' spread over the tokens (A(i, j) = P_ic / |c|
// for j in block c). A X extends x the same way (summary rows = block means
// of x) and A^T Y folds the summaries' rows back onto their tokens.
struct ProbeInputs {
  Mat q, k;
  BlockLayout layout;
  float scale = 1.0f;
  int64_t spreadStart = -1, spreadBlock = 1;  // -1: every key is a token
  int64_t tokens() const { return q.rows(); }
};

// The inputs for head `head`, or nullopt with why: A must be a masked
// softmax over the sequence's keys (DESIGN §3): a variant with a layout,
// relative transformer_xl (its scores are Q' . K' at width 2d,
// transformer_xl_flash.hpp) or hierarchical (extended keys and the spread).
// memory_slots' A depends on V: it stays on the CPU. linformer's and
// performer's are formed through factors: lowrank_probe_operator.hpp.
std::optional<ProbeInputs> flashProbeInputs(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels, std::string* why);

// The operator over those inputs; its scores are fp32 whatever the run's precision.
std::unique_ptr<HeadOperator> makeFlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, ProbeInputs inputs,
                                                     const ExecContext& host);

// flashProbeInputs, then the operator; nullptr with why (prefixed with the device's name).
std::unique_ptr<HeadOperator> makeFlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const Qkv& qkv, int head,
                                                     const std::vector<std::string>* labels, const ExecContext& host, std::string* why);

// Each query row's log-sum-exp of its scaled scores (-inf for a row that sees
// no key), from the probe's first pass on `device`: transformer_xl's and
// memory_slots' mass on memory come from two of these.
std::vector<float> flashProbeRowLse(ProbeDevice& device, const ProbeInputs& inputs);

// transformer_xl's mass on memory per segment for one head, as the CPU
// defines it (a query's weight on the keys before its segment, averaged over
// the segment): 1 - exp(lse_own - lse) from a pass over the variant's keys and
// one over the own segment only. Empty when the memory is 0.
std::vector<double> transformerXlMemoryMass(ProbeDevice& device, const AttentionSpec& spec, const Qkv& qkv, int head);

// Each query row's total weight on the keys from keyFrom on (one product
// with their indicator).
std::vector<float> flashProbeKeyMass(ProbeDevice& device, const ProbeInputs& inputs, int64_t keyFrom);

// memory_slots' mass on memory per segment for one head, as the CPU defines
// it (a query's weight on the slots it reads, averaged over its segment),
// from the head's Q and its extended keys with the slot rows written
// (memory_slots_flash.hpp).
std::vector<double> memorySlotsMemoryMass(ProbeDevice& device, const AttentionSpec& spec, const Mat& q, const Mat& extendedK);

}  // namespace attnscope::kernels
