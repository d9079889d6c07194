// The variant interface and what a variant reports about itself (DESIGN §3).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attention/block_layout.hpp"
#include "attention/params.hpp"
#include "common/cancel.hpp"
#include "common/types.hpp"

namespace attnscope {

class ThreadPool;
class Profiler;
class MemoryMeter;
struct MapGrid;

enum class Precision { Fp32, Fp16, Bf16 };
const char* precisionName(Precision p);
Precision parsePrecision(const std::string& text);

struct AttentionSpec {
  std::string variant = "dense";
  Params params;
  bool causal = false;
  Precision precision = Precision::Fp32;
};

// Problem size as the cost model sees it.
struct Shape {
  int64_t n = 0;      // sequence length
  int64_t d = 0;      // Q/K width
  int64_t dv = 0;     // V width
  int64_t heads = 1;
  bool causal = false;
  int workers = 1;    // CPU threads (per-thread scratch is part of the workspace)
  // Heads a backend runs side by side, each on one worker (1: one after
  // another, each on every worker); set from Backend::headLanes.
  int lanes = 1;
};

// Cost of one forward pass over all heads.
struct CostEstimate {
  double pairs = 0;           // (query, key) pairs scored, summed over heads
  double flops = 0;           // useful FLOPs (FlashAttention convention: 4 d per pair, plus factor work)
  double bytesRead = 0;
  double bytesWritten = 0;
  double workspaceBytes = 0;  // peak scratch beyond Q, K, V and O
};

// What a kernel needs besides the tensors.
struct ExecContext {
  ThreadPool* pool = nullptr;
  MemoryMeter* meter = nullptr;     // kernels allocate workspace through TrackedBuffer(meter, ...)
  Profiler* profiler = nullptr;     // may be null
  const CancelToken* cancel = nullptr;
  // Which of the machine's workers is this pool's worker 0 (heads side by
  // side: the worker that runs the head), so per-worker trace tracks stay apart.
  int firstWorker = 0;
  void checkCancelled() const;
};

// One head's tensors plus the labels (for label-driven parameters such as
// longformer's global_pattern).
struct HeadInput {
  ConstMatRef q, k, v;
  const std::vector<std::string>* labels = nullptr;
  int head = 0;
};

// Variant-specific results for one head.
struct MemorySnapshot {
  int64_t segment = 0;   // segment index after which this was taken
  int64_t endToken = 0;  // tokens [0, endToken) have been read
  Mat slotValues;        // [S x d] slot contents (not "slots": Qt reserves that word)
  Mat provenance;        // [S x endToken] each slot's weights over tokens (may be empty)
};

struct HeadExtras {
  std::vector<MemorySnapshot> memory;  // memory_slots
  std::vector<double> memoryMass;      // per segment: attention mass on memory (transformer_xl, memory_slots)
  std::vector<std::pair<std::string, double>> scalars;  // named numbers for the JSON ("tiles_visited", ...)
  std::vector<std::string> notes;      // e.g. "map shows the token-to-token part"
};

struct VariantInfo {
  std::string id;
  std::string title;
  std::string family;      // exact, sparse, low-rank, recurrent, hierarchical, dynamic
  std::string complexity;  // "O(n^2 d)", "O(n w d)", ...
  std::string memoryComplexity;
  std::string useWhen;     // one line: when to use it
  std::string loses;       // one line: what it gives up
  std::vector<ParamSpec> params;
  bool supportsCausal = true;
  bool maskBased = false;  // runs through the block-sparse kernel
  int displayOrder = 100;  // position in every list (DESIGN §3 order)
};

class Variant;

// The variant's cost for a shape as its backend will run it: with lanes > 1,
// each head's workspace is that of one worker, and lanes of them are live.
CostEstimate predictCost(const Variant& variant, const AttentionSpec& spec, const Shape& shape);

class Variant {
 public:
  virtual ~Variant() = default;
  virtual const VariantInfo& info() const = 0;

  // Checks parameter combinations against the shape (beyond per-parameter
  // ranges). Throws Error(InvalidArgument/Unsupported) naming the parameter.
  virtual void validate(const AttentionSpec& spec, const Shape& shape) const;

  virtual CostEstimate cost(const AttentionSpec& spec, const Shape& shape) const = 0;

  // Mask-based variants: the layout for this head (topk_dynamic reads the input).
  virtual std::optional<BlockLayout> layout(const AttentionSpec& spec, const Shape& shape, const HeadInput* input) const;

  // Kernels live per backend (backend/kernel_table.hpp); a variant only says
  // what it computes.
};

}  // namespace attnscope
