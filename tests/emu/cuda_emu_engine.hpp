// Internals of the CUDA emulation, shared by its scheduler (cuda_emu.cpp)
// and its warpgroup instructions (cuda_emu_wgmma.cpp). Kernels and tests
// include cuda_emu.hpp only.
#pragma once

#include <ucontext.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cuda_emu.hpp"

namespace attnscope::emu::detail {

enum class State { Ready, AtBarrier, AtCollective, AtMbarrier, Done };
enum class Barrier { Plain, Or, Count };
enum class Collective { Shuffle, Mma, Ldmatrix, Wgmma };
enum class WgmmaStep { Mma, Commit, Wait };

// Guard bytes after the dynamic shared memory: a kernel that writes past its
// sharedBytes changes them.
constexpr size_t kSharedGuard = 256;
constexpr unsigned char kGuardByte = 0x5C;
constexpr unsigned char kFillByte = 0xA5;
constexpr size_t kStackBytes = 256 * 1024;

// A thread's wgmma step as all 128 threads of its warpgroup must agree on it:
// for an mma its shape and operands, for a wait the groups left pending.
struct WgmmaRequest {
  WgmmaStep step = WgmmaStep::Mma;
  int n = 0, pending = 0;
  uint64_t descA = 0, descB = 0;
  bool aFromRegisters = false, scaleD = false, transB = false;
  MmaElement element = MmaElement::Fp16;
  bool operator==(const WgmmaRequest&) const = default;
};

struct Fiber {
  ucontext_t context{};
  char* stack = nullptr;
  ThreadPlace where;
  int linear = 0;
  State state = State::Ready;
  // Barrier in/out.
  Barrier barrier = Barrier::Plain;
  int predicate = 0, barrierResult = 0;
  // Collective in/out.
  Collective collective = Collective::Shuffle;
  unsigned mask = 0;
  uint32_t value = 0;
  int source = 0;
  uint32_t a[4] = {}, b[2] = {};
  float c[4] = {};
  MmaElement element = MmaElement::Fp16;
  uint32_t shuffled = 0;
  const unsigned char* rowAddress = nullptr;  // ldmatrix
  bool trans = false;
  uint32_t loaded[4] = {};
  // wgmma: the warpgroup-wide request, this thread's accumulators (its A registers are in a).
  WgmmaRequest wgmma;
  float* wgmmaD = nullptr;
  // cp.async copies issued and not yet landed, and this thread's open group.
  struct CpAsyncCopy {
    void* dst;
    const void* src;
    bool valid;
    int group;
  };
  std::vector<CpAsyncCopy> cpAsync;
  int cpAsyncOpenGroup = 0;
  // mbarrier wait: the barrier's shared address and the phase parity awaited.
  uint32_t waitBarrier = 0;
  int waitParity = 0;
};

// A tensor copy issued to an mbarrier, performed when a waiter checks the
// barrier (so a tile read before its wait holds what was there before).
struct PendingTensorCopy {
  uint32_t dst = 0;  // shared address of the box
  TensorMap map;
  int x = 0, y = 0, z = 0;
};

// An mbarrier in shared memory: arrivals and transaction bytes still owed
// by the current phase, and the phase count.
struct Mbarrier {
  int count = 0, pendingArrivals = 0;
  int64_t tx = 0;
  int64_t phase = 0;
  std::vector<PendingTensorCopy> copies;
};

// One wgmma.mma_async of a warpgroup, issued but not yet performed: the
// emulation performs it at the wait_group that retires its group, reading
// shared memory then (so a stage refilled before the wait is caught) and
// writing the accumulators then (so a read before the wait sees old values).
struct PendingWgmma {
  int group = 0;
  WgmmaRequest request;
  std::array<float*, 128> d{};
  std::array<std::array<uint32_t, 4>, 128> a{};  // A registers, captured at issue
  std::vector<float> dAtIssue;                   // [128][n / 2]: a thread that writes them before the wait is caught
};

struct WarpgroupQueue {
  std::vector<PendingWgmma> ops;
  int openGroup = 0;  // committed groups so far; new operations join group openGroup
};

struct Engine {
  ucontext_t scheduler{};
  std::vector<Fiber> fibers;
  std::unique_ptr<char[]> stacks;  // uninitialised: only the pages a fiber uses are touched
  Fiber* current = nullptr;
  // The dynamic shared memory (sharedBytes + guard) starts 1024-byte aligned,
  // as a block's shared window does on a GPU: offsets from `shared` are the
  // shared addresses wgmma descriptors and swizzles see.
  std::vector<unsigned char> sharedStorage;
  unsigned char* shared = nullptr;
  size_t sharedBytes = 0, sharedSize = 0;
  std::vector<WarpgroupQueue> warpgroups;
  std::map<uint32_t, Mbarrier> mbarriers;  // by shared address
  const std::function<void()>* body = nullptr;
  std::string error;  // first failure of the running block
};

extern thread_local Engine* engine;

Engine& running();
// Suspends the running fiber in state s until the scheduler makes it Ready.
void suspend(State s);
std::string placeOf(const Fiber& f);
// Element `half` (0: low) of a register of two 16-bit values.
float element(uint32_t reg, int half, MmaElement e);

// Warpgroup w's wgmma step, once its 128 threads wait at one; returns whether it ran.
bool releaseWarpgroup(Engine& e, size_t w);
// Throws if a warpgroup left wgmma operations that were never waited for.
void checkWarpgroupsDrained(const Engine& e);
// Wakes the threads whose mbarrier phase has completed; returns whether any woke.
bool releaseMbarrierWaiters(Engine& e);
// Throws if tensor copies were issued that no wait ever performed.
void checkMbarriersDrained(const Engine& e);

}  // namespace attnscope::emu::detail
