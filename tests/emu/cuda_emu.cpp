// The emulation's scheduler: one ucontext fiber per thread of the running
// block, switched at barriers and warp collectives (see cuda_emu.hpp).
#include "cuda_emu_engine.hpp"

#include <algorithm>
#include <bit>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

namespace attnscope::emu {

namespace detail {

thread_local Engine* engine = nullptr;

Engine& running() {
  if (!engine || !engine->current) throw std::logic_error("CUDA emulation: a device function was called outside a launch");
  return *engine;
}

void suspend(State s) {
  Engine& e = running();
  Fiber* self = e.current;
  self->state = s;
  swapcontext(&self->context, &e.scheduler);
}

std::string placeOf(const Fiber& f) {
  return "block (" + std::to_string(f.where.block.x) + "," + std::to_string(f.where.block.y) + "," + std::to_string(f.where.block.z) + ") thread " +
         std::to_string(f.linear) + " (warp " + std::to_string(f.linear / 32) + ", lane " + std::to_string(f.linear % 32) + ")";
}

void fail(Engine& e, const std::string& why) {
  if (e.error.empty()) e.error = why;
}

void fiberMain() {
  Engine& e = *engine;
  Fiber* self = e.current;
  try {
    (*e.body)();
  } catch (const std::exception& ex) {
    fail(e, placeOf(*self) + ": " + ex.what());
  } catch (...) {
    fail(e, placeOf(*self) + ": unknown exception");
  }
  if (!self->cpAsync.empty() && e.error.empty())
    fail(e, placeOf(*self) + ": exited with " + std::to_string(self->cpAsync.size()) + " cp.async copies never waited for (cp.async.wait_group)");
  self->state = State::Done;
  swapcontext(&self->context, &e.scheduler);  // never resumed
}

// fp32 products of 16-bit inputs are exact; the sums (here and in wgmma) are
// taken in double and rounded once, a little better than the tensor core's
// own accumulation.
float element(uint32_t reg, int half, MmaElement e) {
  const uint16_t bits = static_cast<uint16_t>(half ? reg >> 16 : reg & 0xFFFFu);
  return e == MmaElement::Bf16 ? bf16Value(bits) : halfValue(bits);
}

}  // namespace detail

namespace {

using namespace detail;

void releaseMma(Fiber* lanes) {
  const MmaElement e = lanes[0].element;
  float a[16][16], b[16][8], c[16][8];
  for (int lane = 0; lane < 32; ++lane) {
    const Fiber& f = lanes[lane];
    if (f.element != e) throw std::runtime_error("mma.sync: lanes disagree on the element type");
    const int g = lane >> 2, t = lane & 3;
    for (int h = 0; h < 2; ++h) {
      a[g][2 * t + h] = element(f.a[0], h, e);
      a[g + 8][2 * t + h] = element(f.a[1], h, e);
      a[g][2 * t + 8 + h] = element(f.a[2], h, e);
      a[g + 8][2 * t + 8 + h] = element(f.a[3], h, e);
      b[2 * t + h][g] = element(f.b[0], h, e);
      b[2 * t + 8 + h][g] = element(f.b[1], h, e);
      c[g][2 * t + h] = f.c[h];
      c[g + 8][2 * t + h] = f.c[2 + h];
    }
  }
  for (int lane = 0; lane < 32; ++lane) {
    Fiber& f = lanes[lane];
    const int g = lane >> 2, t = lane & 3;
    for (int r = 0; r < 2; ++r)
      for (int h = 0; h < 2; ++h) {
        const int row = g + 8 * r, col = 2 * t + h;
        double s = c[row][col];
        for (int k = 0; k < 16; ++k) s += static_cast<double>(a[row][k]) * b[k][col];
        f.c[2 * r + h] = static_cast<float>(s);
      }
  }
}

void releaseLdmatrix(const Engine& e, Fiber* lanes) {
  const unsigned char* base = e.shared;
  for (int lane = 0; lane < 32; ++lane) {
    const Fiber& f = lanes[lane];
    if (f.trans != lanes[0].trans) throw std::runtime_error(placeOf(f) + ": ldmatrix lanes disagree on .trans");
    const uintptr_t at = reinterpret_cast<uintptr_t>(f.rowAddress), lo = reinterpret_cast<uintptr_t>(base);
    if (at < lo || at + 16 > lo + e.sharedBytes) throw std::runtime_error(placeOf(f) + ": ldmatrix row address outside the dynamic shared memory");
    if (at % 16 != 0) throw std::runtime_error(placeOf(f) + ": ldmatrix row address not 16-byte aligned");
  }
  // Element (row, col) of matrix m: the col-th 16-bit value at lane 8m + row's address.
  const auto element = [&](int m, int row, int col) {
    uint16_t v;
    std::memcpy(&v, lanes[8 * m + row].rowAddress + 2 * col, 2);
    return static_cast<uint32_t>(v);
  };
  for (int lane = 0; lane < 32; ++lane)
    for (int m = 0; m < 4; ++m) {
      const int a = lane / 4, b = 2 * (lane % 4);
      lanes[lane].loaded[m] = lanes[0].trans ? element(m, b, a) | (element(m, b + 1, a) << 16) : element(m, a, b) | (element(m, a, b + 1) << 16);
    }
}

// Releases warp w's collective if all its lanes wait at one; returns whether it did.
bool releaseWarp(Engine& e, size_t w) {
  const size_t begin = 32 * w, end = std::min(e.fibers.size(), begin + 32);
  size_t waiting = 0, done = 0;
  for (size_t i = begin; i < end; ++i) {
    if (e.fibers[i].state == State::AtCollective) ++waiting;
    if (e.fibers[i].state == State::Done) ++done;
  }
  if (waiting == 0 || waiting + done != end - begin) return false;  // some lane is elsewhere (a barrier): not yet, or a deadlock
  if (end - begin != 32 || done > 0) {
    const Fiber& waiter = *std::find_if(e.fibers.begin() + static_cast<long>(begin), e.fibers.begin() + static_cast<long>(end),
                                        [](const Fiber& f) { return f.state == State::AtCollective; });
    throw std::runtime_error(placeOf(waiter) + ": warp collective with lanes that have exited or do not exist");
  }
  const Fiber& first = e.fibers[begin];
  if (first.collective == Collective::Wgmma) return false;  // a warpgroup collective: releaseWarpgroup's
  for (size_t i = begin; i < end; ++i) {
    const Fiber& f = e.fibers[i];
    if (f.collective != first.collective) throw std::runtime_error(placeOf(f) + ": lanes of one warp wait at different collectives (divergence)");
    if (f.mask != 0xFFFFFFFFu) throw std::runtime_error(placeOf(f) + ": only full-warp masks are emulated");
  }
  Fiber* lanes = &e.fibers[begin];
  if (first.collective == Collective::Shuffle) {
    for (int lane = 0; lane < 32; ++lane) {
      const int s = lanes[lane].source;
      if (s < 0 || s >= 32) throw std::runtime_error(placeOf(lanes[lane]) + ": shuffle source lane " + std::to_string(s) + " out of range");
      lanes[lane].shuffled = lanes[s].value;
    }
  } else if (first.collective == Collective::Ldmatrix) {
    releaseLdmatrix(e, lanes);
  } else {
    releaseMma(lanes);
  }
  for (size_t i = begin; i < end; ++i) e.fibers[i].state = State::Ready;
  return true;
}

bool releaseBarrier(Engine& e) {
  int live = 0, orValue = 0, count = 0;
  const Fiber* first = nullptr;
  for (const Fiber& f : e.fibers) {
    if (f.state == State::Done) continue;
    if (f.state != State::AtBarrier) return false;
    if (!first) first = &f;
    if (f.barrier != first->barrier) throw std::runtime_error(placeOf(f) + ": threads wait at different kinds of __syncthreads");
    ++live;
    orValue |= f.predicate != 0;
    count += f.predicate != 0;
  }
  if (live == 0) return false;
  for (Fiber& f : e.fibers)
    if (f.state == State::AtBarrier) {
      f.barrierResult = f.barrier == Barrier::Or ? orValue : count;
      f.state = State::Ready;
    }
  return true;
}

std::string describeDeadlock(const Engine& e) {
  std::string s = "deadlock: no thread can go on;";
  int shown = 0;
  for (const Fiber& f : e.fibers) {
    if (f.state == State::Done || shown >= 4) continue;
    s += " " + placeOf(f) +
         (f.state == State::AtBarrier ? " waits at __syncthreads;" : f.state == State::AtMbarrier ? " waits at an mbarrier;" : " waits at a warp collective;");
    ++shown;
  }
  return s;
}

void runBlock(Engine& e, const LaunchConfig& config, dim3 blockIndex, std::mt19937_64& rng) {
  const size_t threads = e.fibers.size();
  std::fill(e.shared, e.shared + e.sharedBytes, kFillByte);
  std::fill(e.shared + e.sharedBytes, e.shared + e.sharedSize, kGuardByte);
  e.warpgroups.assign((threads + 127) / 128, WarpgroupQueue{});
  e.mbarriers.clear();
  for (size_t i = 0; i < threads; ++i) {
    Fiber& f = e.fibers[i];
    f = Fiber{};
    f.linear = static_cast<int>(i);
    f.stack = e.stacks.get() + i * kStackBytes;
    f.where.blockSize = config.block;
    f.where.gridSize = config.grid;
    f.where.block = blockIndex;
    f.where.thread = dim3(static_cast<unsigned>(i % config.block.x), static_cast<unsigned>(i / config.block.x % config.block.y),
                             static_cast<unsigned>(i / (config.block.x * config.block.y)));
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack;
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = nullptr;
    makecontext(&f.context, fiberMain, 0);
  }
  std::vector<size_t> order(threads);
  std::iota(order.begin(), order.end(), size_t{0});
  if (config.order == Order::Reverse) std::reverse(order.begin(), order.end());
  const size_t warps = (threads + 31) / 32;
  for (;;) {
    if (config.order == Order::Shuffled) std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      Fiber& f = e.fibers[i];
      if (f.state != State::Ready) continue;
      e.current = &f;
      swapcontext(&e.scheduler, &f.context);
      e.current = nullptr;
      if (!e.error.empty()) return;
    }
    bool released = false;
    for (size_t w = 0; w < warps; ++w) released = releaseWarp(e, w) || released;
    for (size_t w = 0; w < e.warpgroups.size(); ++w) released = releaseWarpgroup(e, w) || released;
    released = releaseMbarrierWaiters(e) || released;
    if (!released) released = releaseBarrier(e);
    if (std::all_of(e.fibers.begin(), e.fibers.end(), [](const Fiber& f) { return f.state == State::Done; })) break;
    if (!released) throw std::runtime_error(describeDeadlock(e));
  }
  checkWarpgroupsDrained(e);
  checkMbarriersDrained(e);
  for (size_t i = e.sharedBytes; i < e.sharedSize; ++i)
    if (e.shared[i] != kGuardByte)
      throw std::runtime_error("block (" + std::to_string(blockIndex.x) + "," + std::to_string(blockIndex.y) + "): shared memory written " +
                               std::to_string(i - e.sharedBytes) + " bytes past its " + std::to_string(e.sharedBytes) + "-byte size");
}

}  // namespace

const ThreadPlace& place() { return running().current->where; }

unsigned char* dynamicShared() { return running().shared; }

uint32_t sharedAddress(const void* p) {
  const Engine& e = running();
  const auto* at = static_cast<const unsigned char*>(p);
  if (at < e.shared || at > e.shared + e.sharedBytes) throw std::runtime_error(placeOf(*e.current) + ": a shared address of memory outside the dynamic shared memory");
  return static_cast<uint32_t>(at - e.shared);
}

void syncThreads() {
  running().current->barrier = Barrier::Plain;
  suspend(State::AtBarrier);
}

int syncThreadsOr(int predicate) {
  Fiber* self = running().current;
  self->barrier = Barrier::Or;
  self->predicate = predicate;
  suspend(State::AtBarrier);
  return self->barrierResult;
}

int syncThreadsCount(int predicate) {
  Fiber* self = running().current;
  self->barrier = Barrier::Count;
  self->predicate = predicate;
  suspend(State::AtBarrier);
  return self->barrierResult;
}

uint32_t shuffle(unsigned mask, uint32_t value, int source) {
  Fiber* self = running().current;
  self->collective = Collective::Shuffle;
  self->mask = mask;
  self->value = value;
  self->source = source;
  suspend(State::AtCollective);
  return self->shuffled;
}

void mmaM16N8K16(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1, MmaElement element) {
  Fiber* self = running().current;
  self->collective = Collective::Mma;
  self->mask = 0xFFFFFFFFu;
  std::copy(a, a + 4, self->a);
  self->b[0] = b0;
  self->b[1] = b1;
  std::copy(c, c + 4, self->c);
  self->element = element;
  suspend(State::AtCollective);
  std::copy(self->c, self->c + 4, c);
}

void ldmatrixX4(uint32_t (&r)[4], const void* rowAddress, bool trans) {
  Fiber* self = running().current;
  self->collective = Collective::Ldmatrix;
  self->mask = 0xFFFFFFFFu;
  self->rowAddress = static_cast<const unsigned char*>(rowAddress);
  self->trans = trans;
  suspend(State::AtCollective);
  std::copy(self->loaded, self->loaded + 4, r);
}

void cpAsync16(void* dst, const void* src, bool valid) {
  Fiber* self = running().current;
  self->cpAsync.push_back(Fiber::CpAsyncCopy{dst, src, valid, self->cpAsyncOpenGroup});
}

void cpAsyncCommit() { ++running().current->cpAsyncOpenGroup; }

void cpAsyncWait(int pending) {
  Fiber* self = running().current;
  const int retireBelow = self->cpAsyncOpenGroup - pending;
  std::vector<Fiber::CpAsyncCopy> keep;
  for (const Fiber::CpAsyncCopy& c : self->cpAsync) {
    if (c.group >= retireBelow) {
      keep.push_back(c);
    } else if (c.valid) {
      std::memcpy(c.dst, c.src, 16);
    } else {
      std::memset(c.dst, 0, 16);
    }
  }
  self->cpAsync.swap(keep);
}

void trap(const char* why) {
  Engine& e = running();
  fail(e, placeOf(*e.current) + ": " + why);
  suspend(State::Done);
  std::abort();  // unreachable: a Done fiber is never resumed
}

void launch(const LaunchConfig& config, const std::function<void()>& body) {
  const size_t threads = static_cast<size_t>(config.block.x) * config.block.y * config.block.z;
  if (threads == 0 || threads > 1024) throw std::runtime_error("launch: " + std::to_string(threads) + " threads per block (1..1024)");
  if (engine) throw std::logic_error("launch: nested launches are not emulated");
  Engine e;
  e.fibers.resize(threads);
  e.stacks.reset(new char[threads * kStackBytes]);
  e.sharedBytes = config.sharedBytes;
  e.sharedSize = config.sharedBytes + kSharedGuard;
  e.sharedStorage.resize(e.sharedSize + 1024);
  const uintptr_t raw = reinterpret_cast<uintptr_t>(e.sharedStorage.data());
  e.shared = e.sharedStorage.data() + (1024 - raw % 1024) % 1024;
  e.body = &body;
  std::mt19937_64 rng(config.seed);
  engine = &e;
  try {
    for (unsigned z = 0; z < config.grid.z; ++z)
      for (unsigned y = 0; y < config.grid.y; ++y)
        for (unsigned x = 0; x < config.grid.x; ++x) {
          runBlock(e, config, dim3(x, y, z), rng);
          if (!e.error.empty()) throw std::runtime_error(e.error);
        }
  } catch (...) {
    engine = nullptr;
    throw;
  }
  engine = nullptr;
}

uint16_t halfBits(float x) {
  const uint32_t f = std::bit_cast<uint32_t>(x);
  const uint16_t sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  const uint32_t a = f & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);  // NaN
  if (a >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // >= 65520 rounds to infinity
  if (a < 0x38800000u) {                                                 // below 2^-14: subnormal, quantum 2^-24
    const float scaled = std::bit_cast<float>(a) * 16777216.0f;          // exact
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(scaled)));
  }
  const uint32_t exponent = (a >> 23) - 127 + 15, mantissa = a & 0x7FFFFFu;
  uint32_t h = (exponent << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is the right result
  return static_cast<uint16_t>(sign | h);
}

float halfValue(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1Fu, mantissa = bits & 0x3FFu;
  if (exponent == 0) {
    const float v = static_cast<float>(mantissa) / 16777216.0f;
    return sign ? -v : v;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

uint16_t bf16Bits(float x) {
  uint32_t u = std::bit_cast<uint32_t>(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

}  // namespace attnscope::emu
