// The host/device contract of the attention kernels: one plain struct, no
// pointers to host objects, so a launch is a copy of this and nothing else.
#pragma once

namespace attnscope::kernels {

struct DenseParams {
  const float* q = nullptr;  // [n x d] row-major, device memory
  const float* k = nullptr;  // [n x d]
  const float* v = nullptr;  // [n x dv]
  float* o = nullptr;        // [n x dv]
  float* lse = nullptr;      // [n], may be null
  int n = 0;
  int d = 0;
  int dv = 0;
  float scale = 1.0f;
  bool causal = false;
};

// Kernel traits: the key tile staged in shared memory per step, and the
// widest head the register accumulator supports.
struct DenseTraits {
  static constexpr int kThreads = 128;   // one query row per thread
  static constexpr int kKeyTile = 32;    // keys staged per step
  static constexpr int kMaxWidth = 256;  // d and dv limit of this kernel
};

// Launches on the default stream; returns a cudaError_t as int (0 = success).
int launchDenseForward(const DenseParams& params);

}  // namespace attnscope::kernels
