// wgmma in the emulation: the warpgroup collective, the shared-memory
// descriptors (128-byte swizzle) and the deferred execution at wait_group.
// Descriptor fields and canonical layouts are the PTX ISA's ("Matrix
// Descriptor Format", "Shared Memory Matrix Layout"), in 16-byte units:
//   K-major,  128B swizzle: element (r, k) at (r % 8) * 8 + (r / 8) * SBO + k / 8
//   MN-major, 128B swizzle: element (x, k) at (x % 64) / 8 + (x / 64) * LBO + (k % 8) * 8 + (k / 8) * SBO
// (plus the element's place inside its 16 bytes), then the swizzle: address
// bits [4, 7) ^= bits [7, 10) of the shared address.
#include <algorithm>
#include <stdexcept>

#include "cuda_emu_engine.hpp"

namespace attnscope::emu {

namespace detail {

namespace {

struct Descriptor {
  uint32_t start, lbo, sbo;
};

Descriptor decode(uint64_t desc, const char* which) {
  const uint32_t swizzle = static_cast<uint32_t>(desc >> 62), baseOffset = static_cast<uint32_t>((desc >> 49) & 7u);
  if (swizzle != 1) throw std::runtime_error(std::string("wgmma: descriptor ") + which + " is not 128-byte swizzled (only that layout is emulated)");
  if (baseOffset != 0) throw std::runtime_error(std::string("wgmma: descriptor ") + which + " has a base offset (not emulated)");
  return Descriptor{static_cast<uint32_t>(desc & 0x3FFFu) << 4, static_cast<uint32_t>((desc >> 16) & 0x3FFFu) << 4,
                    static_cast<uint32_t>((desc >> 32) & 0x3FFFu) << 4};
}

uint32_t swizzle128(uint32_t address) { return address ^ (((address >> 7) & 7u) << 4); }

float sharedElement(const Engine& e, uint32_t address, MmaElement type, const char* which) {
  if (address % 2 != 0 || address + 2 > e.sharedBytes)
    throw std::runtime_error(std::string("wgmma: operand ") + which + " reads outside the dynamic shared memory (address " + std::to_string(address) + ")");
  uint16_t bits;
  std::memcpy(&bits, e.shared + address, 2);
  return type == MmaElement::Bf16 ? bf16Value(bits) : halfValue(bits);
}

// Element (r, k) of a K-major operand: r along M or N, k along K (0..15).
float kMajor(const Engine& e, const Descriptor& d, int r, int k, MmaElement type, const char* which) {
  const uint32_t address = d.start + static_cast<uint32_t>((r % 8) * 128 + (r / 8) * static_cast<int>(d.sbo) + (k / 8) * 16 + (k % 8) * 2);
  return sharedElement(e, swizzle128(address), type, which);
}

// Element (x, k) of an MN-major operand: x along M or N, k along K (0..15).
float mnMajor(const Engine& e, const Descriptor& d, int x, int k, MmaElement type, const char* which) {
  const uint32_t address = d.start + static_cast<uint32_t>((x % 64) * 2 + (x / 64) * static_cast<int>(d.lbo) + (k % 8) * 128 + (k / 8) * static_cast<int>(d.sbo));
  return sharedElement(e, swizzle128(address), type, which);
}

void perform(const Engine& e, const PendingWgmma& op) {
  const int n = op.request.n;
  // The accumulators belong to the hardware from issue to wait.
  for (int t = 0; t < 128; ++t)
    if (std::memcmp(op.d[t], op.dAtIssue.data() + static_cast<size_t>(t) * (n / 2), sizeof(float) * static_cast<size_t>(n / 2)) != 0)
      throw std::runtime_error("wgmma: thread " + std::to_string(t) + " of the warpgroup wrote accumulators of an operation still in flight");
  std::vector<float> a(64 * 16), b(16 * static_cast<size_t>(n));
  if (op.request.aFromRegisters) {
    for (int t = 0; t < 128; ++t) {
      const int warp = t / 32, g = (t % 32) >> 2, q = t & 3;
      for (int h = 0; h < 2; ++h) {
        const int r0 = 16 * warp + g, c0 = 2 * q + h;
        a[r0 * 16 + c0] = element(op.a[t][0], h, op.request.element);
        a[(r0 + 8) * 16 + c0] = element(op.a[t][1], h, op.request.element);
        a[r0 * 16 + c0 + 8] = element(op.a[t][2], h, op.request.element);
        a[(r0 + 8) * 16 + c0 + 8] = element(op.a[t][3], h, op.request.element);
      }
    }
  } else {
    const Descriptor da = decode(op.request.descA, "A");
    for (int r = 0; r < 64; ++r)
      for (int k = 0; k < 16; ++k) a[r * 16 + k] = kMajor(e, da, r, k, op.request.element, "A");
  }
  const Descriptor db = decode(op.request.descB, "B");
  for (int x = 0; x < n; ++x)
    for (int k = 0; k < 16; ++k) b[k * n + x] = op.request.transB ? mnMajor(e, db, x, k, op.request.element, "B") : kMajor(e, db, x, k, op.request.element, "B");
  for (int t = 0; t < 128; ++t) {
    const int warp = t / 32, g = (t % 32) >> 2, q = t & 3;
    for (int tile = 0; tile < n / 8; ++tile)
      for (int i = 0; i < 4; ++i) {
        const int row = 16 * warp + g + 8 * (i / 2), col = 8 * tile + 2 * q + (i % 2);
        float& out = op.d[t][4 * tile + i];
        double s = op.request.scaleD ? out : 0.0;
        for (int k = 0; k < 16; ++k) s += static_cast<double>(a[row * 16 + k]) * b[k * n + col];
        out = static_cast<float>(s);
      }
  }
}

}  // namespace

bool releaseWarpgroup(Engine& e, size_t w) {
  const size_t begin = 128 * w, end = std::min(e.fibers.size(), begin + 128);
  size_t waiting = 0;
  for (size_t i = begin; i < end; ++i)
    if (e.fibers[i].state == State::AtCollective && e.fibers[i].collective == Collective::Wgmma) ++waiting;
  if (waiting == 0) return false;
  if (end - begin != 128) throw std::runtime_error(placeOf(e.fibers[begin]) + ": wgmma in a block whose threads are not whole warpgroups of 128");
  if (waiting != 128) {
    for (size_t i = begin; i < end; ++i)
      if (e.fibers[i].state == State::Done) throw std::runtime_error(placeOf(e.fibers[i]) + ": exited while its warpgroup waits at a wgmma step");
    return false;  // the others are still on their way (or at a barrier: a deadlock the scheduler reports)
  }
  const Fiber& first = e.fibers[begin];
  for (size_t i = begin; i < end; ++i) {
    const Fiber& f = e.fibers[i];
    if (!(f.wgmma == first.wgmma)) throw std::runtime_error(placeOf(f) + ": threads of one warpgroup disagree on a wgmma step or its operands (divergence)");
  }
  WarpgroupQueue& queue = e.warpgroups[w];
  if (first.wgmma.step == WgmmaStep::Mma) {
    PendingWgmma op;
    op.group = queue.openGroup;
    op.request = first.wgmma;
    const size_t half = static_cast<size_t>(op.request.n / 2);
    op.dAtIssue.resize(128 * half);
    for (size_t i = begin; i < end; ++i) {
      op.d[i - begin] = e.fibers[i].wgmmaD;
      std::copy(e.fibers[i].a, e.fibers[i].a + 4, op.a[i - begin].begin());
      std::memcpy(op.dAtIssue.data() + (i - begin) * half, op.d[i - begin], sizeof(float) * half);
    }
    queue.ops.push_back(op);
  } else if (first.wgmma.step == WgmmaStep::Commit) {
    ++queue.openGroup;
  } else {
    const int retireBelow = queue.openGroup - first.wgmma.pending;
    for (size_t i = 0; i < queue.ops.size(); ++i) {
      if (queue.ops[i].group >= retireBelow) continue;
      perform(e, queue.ops[i]);
      // A later operation on the same accumulators (a chained k loop) now starts from what this one wrote.
      for (size_t j = i + 1; j < queue.ops.size(); ++j)
        if (queue.ops[j].d[0] == queue.ops[i].d[0])
          for (int t = 0; t < 128; ++t)
            std::memcpy(queue.ops[j].dAtIssue.data() + static_cast<size_t>(t) * (queue.ops[j].request.n / 2), queue.ops[j].d[t],
                        sizeof(float) * static_cast<size_t>(queue.ops[j].request.n / 2));
    }
    queue.ops.erase(std::remove_if(queue.ops.begin(), queue.ops.end(), [&](const PendingWgmma& op) { return op.group < retireBelow; }), queue.ops.end());
  }
  for (size_t i = begin; i < end; ++i) e.fibers[i].state = State::Ready;
  return true;
}

void checkWarpgroupsDrained(const Engine& e) {
  for (size_t w = 0; w < e.warpgroups.size(); ++w)
    if (!e.warpgroups[w].ops.empty())
      throw std::runtime_error("warpgroup " + std::to_string(w) + ": " + std::to_string(e.warpgroups[w].ops.size()) +
                               " wgmma operations were never retired by a wait_group before the threads exited");
}

}  // namespace detail

namespace {

using namespace detail;

void enterWgmma(const WgmmaRequest& request) {
  Fiber* self = running().current;
  self->collective = Collective::Wgmma;
  self->mask = 0xFFFFFFFFu;
  self->wgmma = request;
  suspend(State::AtCollective);
}

}  // namespace

void wgmmaMma(float* d, int n, uint64_t descA, const uint32_t* aRegs, uint64_t descB, bool scaleD, bool transB, MmaElement element) {
  Fiber* self = running().current;
  if (n < 8 || n > 256 || n % 8 != 0) throw std::runtime_error(placeOf(*self) + ": wgmma n = " + std::to_string(n) + " (8..256, a multiple of 8)");
  self->wgmmaD = d;
  if (aRegs) std::copy(aRegs, aRegs + 4, self->a);
  WgmmaRequest r;
  r.n = n;
  r.descA = aRegs ? 0 : descA;
  r.aFromRegisters = aRegs != nullptr;
  r.descB = descB;
  r.scaleD = scaleD;
  r.transB = transB;
  r.element = element;
  enterWgmma(r);
}

void wgmmaCommit() {
  WgmmaRequest r;
  r.step = WgmmaStep::Commit;
  enterWgmma(r);
}

void wgmmaWait(int pending) {
  WgmmaRequest r;
  r.step = WgmmaStep::Wait;
  r.pending = pending;
  enterWgmma(r);
}

}  // namespace attnscope::emu
