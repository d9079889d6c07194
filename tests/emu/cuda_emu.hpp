// A CPU emulation of the part of CUDA the kernels use, so the kernels' own
// source (indexing, fragments, masks, barriers, shuffles) runs in every build
// and is held to the CPU reference without a GPU. It is a test tool, not a
// backend: slow (one fiber per thread), sequential, and it says nothing about
// speed.
//
// What it models: a grid of blocks run one after another; each block's threads
// as fibers that run until a barrier, a warp collective (shuffles, mma.sync,
// ldmatrix), a warpgroup collective (wgmma) or their end. Atomics act at
// once (nothing runs in between), so they cannot race here. Asynchronous
// copies land only where the kernel waits for them: a cp.async at the
// thread's cp.async.wait_group that retires its group, wgmma at its
// wait_group, a TMA copy at the mbarrier wait that needs it; a thread that
// exits with copies in flight is an error. A barrier opens when every live
// thread of the block waits at it; a warp collective when all 32 lanes wait
// at the same kind of collective, a warpgroup one when all 128 threads do.
// Anything else (a barrier some threads never reach, lanes of a
// warp at different collectives, a collective with an exited lane) is a
// deadlock or divergence on a GPU and an error here. Threads between two
// synchronisation points run in an order the caller picks (forward, reverse
// or shuffled), so a missing barrier shows up as results that depend on it.
//
// The kernels include this through kernels/cuda_compat.cuh when
// ATTNSCOPE_CUDA_EMULATION is defined; nothing else should.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

// ---- CUDA's own spellings, in the global namespace as CUDA has them ----

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

struct alignas(16) uint4 {
  unsigned x, y, z, w;
};
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return uint4{x, y, z, w}; }
struct alignas(16) float4 {
  float x, y, z, w;
};

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__
#define __align__(n) alignas(n)
#define __restrict__ __restrict

namespace attnscope::emu {

struct ThreadPlace {
  dim3 thread, block, blockSize, gridSize;  // threadIdx, blockIdx, blockDim, gridDim
};

// The running thread's place; valid only inside a launch.
const ThreadPlace& place();
// The running block's dynamic shared memory (the launch's sharedBytes, zero-filled
// with garbage bytes 0xA5 so reads of unwritten memory are not silently zero).
unsigned char* dynamicShared();

void syncThreads();
int syncThreadsOr(int predicate);
int syncThreadsCount(int predicate);
// Lane `source` (absolute, 0..31) of the caller's warp hands its value to the caller.
uint32_t shuffle(unsigned mask, uint32_t value, int source);
[[noreturn]] void trap(const char* why);

enum class MmaElement { Fp16, Bf16 };
// mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.{f16,bf16}.f32 with the
// PTX ISA's fragment layouts: d (= c) += A (16 x 16) * B (16 x 8).
void mmaM16N8K16(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1, MmaElement element);

// ldmatrix.sync.aligned.m8n8.x4(.trans).shared.b16: lanes 8m .. 8m + 7 give
// the 16-byte row addresses (in dynamic shared memory) of matrix m; lane l
// receives in r[m] the elements (row l / 4, columns 2 (l % 4) and + 1) of
// matrix m, or with trans (rows 2 (l % 4) and + 1, column l / 4); the
// lower-indexed element in the low half.
void ldmatrixX4(uint32_t (&r)[4], const void* rowAddress, bool trans);

// The byte offset of p in the running block's dynamic shared memory: its
// shared address (the emulated shared window starts at 0 and at a 1024-byte
// boundary, as on a GPU), what __cvta_generic_to_shared gives a kernel.
uint32_t sharedAddress(const void* p);

// wgmma (sm_90a), a warpgroup (128 consecutive threads) at a time, each step
// a warpgroup collective like mma.sync is a warp one:
// - wgmmaMma: wgmma.mma_async.sync.aligned.m64n{n}k16.f32.{f16,bf16}: D (64 x n,
//   fp32, this thread's n / 2 accumulators at d in the mma.sync C layout of
//   its warp's 16 rows, n / 8 tiles of 4) = A (64 x 16) B (16 x n) (+ D when
//   scaleD). A from the descriptor descA (K-major) or from each thread's 4
//   registers aRegs (the mma.sync A layout of its warp's rows); B from descB,
//   K-major, or MN-major when transB. Descriptors: 128-byte swizzle only
//   (start, LBO and SBO as the PTX ISA encodes them, base offset 0).
// - wgmmaCommit: wgmma.commit_group, closes the open group.
// - wgmmaWait(pending): wgmma.wait_group, performs every committed group but
//   the `pending` most recent.
// An operation is performed at the wait that retires it: it reads shared
// memory and writes d then, so a kernel that refills an operand's tile or
// reads its accumulators before waiting gets wrong results here as on a GPU,
// and one that writes them before waiting is an error.
void wgmmaMma(float* d, int n, uint64_t descA, const uint32_t* aRegs, uint64_t descB, bool scaleD, bool transB, MmaElement element);
void wgmmaCommit();
void wgmmaWait(int pending);

// TMA (sm_90): a tensor map as cuTensorMapEncodeTiled would describe it, for
// the one form the kernels use: 16-bit elements, rank 3 (x innermost, then
// y, z), 128-byte swizzle, zero fill outside the tensor. box[0] * 2 bytes
// is at most 128.
struct TensorMap {
  const void* base = nullptr;
  int64_t dims[3] = {1, 1, 1};
  int64_t strides[2] = {0, 0};  // bytes between y rows, between z planes
  int box[3] = {1, 1, 1};
};
// mbarrier.init (count arrivals per phase), mbarrier.arrive.expect_tx,
// and a wait (try_wait.parity in a loop) for the phase of the given parity.
void mbarrierInit(uint64_t* bar, int count);
void mbarrierArriveExpectTx(uint64_t* bar, uint32_t bytes);
void mbarrierWait(uint64_t* bar, int parity);
// cp.async.bulk.tensor.3d ... mbarrier::complete_tx::bytes: the box at
// (x, y, z) into shared memory at dst, laid out with the 128-byte swizzle
// of its shared address; its bytes complete on bar. Performed when a thread
// waits on bar, not before.
void tmaLoad3d(void* dst, const TensorMap& map, int x, int y, int z, uint64_t* bar);

enum class Order { Forward, Reverse, Shuffled };

struct LaunchConfig {
  dim3 grid, block;
  size_t sharedBytes = 0;
  Order order = Order::Forward;
  uint64_t seed = 1;  // for Order::Shuffled
};

// Runs body() once per thread of every block. Throws std::runtime_error with
// the block, thread and what went wrong on a deadlock, a divergent collective,
// a trap, a shared-memory overrun (guard bytes) or an exception from body.
void launch(const LaunchConfig& config, const std::function<void()>& body);

// 16-bit float conversions, round to nearest even (what cvt.rn does).
uint16_t halfBits(float x);
float halfValue(uint16_t bits);
uint16_t bf16Bits(float x);
inline float bf16Value(uint16_t bits) {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace attnscope::emu

#define threadIdx (::attnscope::emu::place().thread)
#define blockIdx (::attnscope::emu::place().block)
#define blockDim (::attnscope::emu::place().blockSize)
#define gridDim (::attnscope::emu::place().gridSize)

inline void __syncthreads() { ::attnscope::emu::syncThreads(); }
inline int __syncthreads_or(int p) { return ::attnscope::emu::syncThreadsOr(p); }
inline int __syncthreads_count(int p) { return ::attnscope::emu::syncThreadsCount(p); }
[[noreturn]] inline void __trap() { ::attnscope::emu::trap("__trap()"); }

namespace attnscope::emu {
inline int laneId() {
  const ThreadPlace& p = place();
  return static_cast<int>((p.thread.x + p.blockSize.x * (p.thread.y + p.blockSize.y * p.thread.z)) % 32);
}
template <class T>
T shuffleValue(unsigned mask, T value, int source) {
  static_assert(sizeof(T) == 4, "32-bit shuffles only");
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits = shuffle(mask, bits, source);
  T out;
  std::memcpy(&out, &bits, 4);
  return out;
}
}  // namespace attnscope::emu

// Width segments as in CUDA: a lane reads only inside its own segment of
// `width` lanes; __shfl_xor_sync past the segment returns the caller's value.
template <class T>
T __shfl_sync(unsigned mask, T value, int srcLane, int width = 32) {
  const int lane = ::attnscope::emu::laneId();
  const int base = lane & ~(width - 1);
  return ::attnscope::emu::shuffleValue(mask, value, base + (srcLane % width));
}
template <class T>
T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
  const int lane = ::attnscope::emu::laneId();
  const int source = lane ^ laneMask;
  const bool inside = (source & ~(width - 1)) == (lane & ~(width - 1));
  return ::attnscope::emu::shuffleValue(mask, value, inside ? source : lane);
}
template <class T>
T __shfl_down_sync(unsigned mask, T value, unsigned delta, int width = 32) {
  const int lane = ::attnscope::emu::laneId();
  const int source = lane + static_cast<int>(delta);
  const bool inside = (source & ~(width - 1)) == (lane & ~(width - 1));
  return ::attnscope::emu::shuffleValue(mask, value, inside ? source : lane);
}

// ---- 16-bit floats: storage types and the conversions the kernels call ----

struct __half {
  uint16_t bits;
};
struct __half2 {
  __half x, y;
};
struct __nv_bfloat16 {
  uint16_t bits;
};
struct __nv_bfloat162 {
  __nv_bfloat16 x, y;
};

inline __half __float2half_rn(float x) { return __half{::attnscope::emu::halfBits(x)}; }
inline float __half2float(__half h) { return ::attnscope::emu::halfValue(h.bits); }
inline unsigned short __half_as_ushort(__half h) { return h.bits; }
inline __half2 __floats2half2_rn(float lo, float hi) { return __half2{__float2half_rn(lo), __float2half_rn(hi)}; }
inline __nv_bfloat16 __float2bfloat16_rn(float x) { return __nv_bfloat16{::attnscope::emu::bf16Bits(x)}; }
inline float __bfloat162float(__nv_bfloat16 h) { return ::attnscope::emu::bf16Value(h.bits); }
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 h) { return h.bits; }
inline __nv_bfloat162 __floats2bfloat162_rn(float lo, float hi) { return __nv_bfloat162{__float2bfloat16_rn(lo), __float2bfloat16_rn(hi)}; }

// ---- cp.async (16 bytes, .cg; valid = false is the source-size-0 form,
// a zero fill): queued in the calling thread's open group; commit closes it;
// wait(pending) lands every group of this thread but the `pending` most
// recent. Other threads see the bytes after a barrier that follows the wait.
namespace attnscope::emu {
void cpAsync16(void* dst, const void* src, bool valid);
void cpAsyncCommit();
void cpAsyncWait(int pending);
}  // namespace attnscope::emu

// ---- atomics and bit casts: blocks run one after another and a thread is
// switched out only at a barrier or collective, so a plain read-modify-write
// is atomic here ----

inline float atomicAdd(float* address, float value) {
  const float old = *address;
  *address = old + value;
  return old;
}
inline unsigned long long atomicAdd(unsigned long long* address, unsigned long long value) {
  const unsigned long long old = *address;
  *address = old + value;
  return old;
}
inline unsigned atomicMax(unsigned* address, unsigned value) {
  const unsigned old = *address;
  if (value > old) *address = value;
  return old;
}
inline unsigned __float_as_uint(float x) {
  unsigned u;
  std::memcpy(&u, &x, 4);
  return u;
}
inline float __uint_as_float(unsigned u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}
