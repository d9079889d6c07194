// TMA and mbarriers in the emulation. A tensor copy is queued on its
// mbarrier and performed when a thread waits there, so a kernel that reads a
// tile before waiting for it reads stale bytes here too; the phase completes
// once every arrival is in and every queued byte has landed.
#include <stdexcept>

#include "cuda_emu_engine.hpp"

namespace attnscope::emu {

namespace detail {

namespace {

uint32_t swizzle128(uint32_t address) { return address ^ (((address >> 7) & 7u) << 4); }

int64_t boxBytes(const TensorMap& m) { return static_cast<int64_t>(m.box[0]) * m.box[1] * m.box[2] * 2; }

void performCopy(Engine& e, const PendingTensorCopy& c) {
  const TensorMap& m = c.map;
  const auto* base = static_cast<const unsigned char*>(m.base);
  uint32_t at = c.dst;
  for (int bz = 0; bz < m.box[2]; ++bz)
    for (int by = 0; by < m.box[1]; ++by)
      for (int bx = 0; bx < m.box[0]; ++bx, at += 2) {
        const int64_t x = c.x + bx, y = c.y + by, z = c.z + bz;
        uint16_t v = 0;  // outside the tensor: zero
        if (x >= 0 && y >= 0 && z >= 0 && x < m.dims[0] && y < m.dims[1] && z < m.dims[2]) std::memcpy(&v, base + z * m.strides[1] + y * m.strides[0] + x * 2, 2);
        const uint32_t to = swizzle128(at);
        if (to + 2 > e.sharedBytes) throw std::runtime_error("TMA: box written outside the dynamic shared memory (address " + std::to_string(to) + ")");
        std::memcpy(e.shared + to, &v, 2);
      }
}

Mbarrier& barrierAt(Engine& e, const uint64_t* bar, const char* what) {
  const uint32_t address = sharedAddress(bar);
  if (address % 8 != 0) throw std::runtime_error(placeOf(*e.current) + ": " + what + " on an mbarrier not 8-byte aligned");
  auto it = e.mbarriers.find(address);
  if (it == e.mbarriers.end()) throw std::runtime_error(placeOf(*e.current) + ": " + what + " on an mbarrier that was never initialised");
  return it->second;
}

// Lands the queued copies and completes the phase if it is owed nothing.
void settle(Engine& e, Mbarrier& b) {
  for (const PendingTensorCopy& c : b.copies) {
    performCopy(e, c);
    b.tx -= boxBytes(c.map);
  }
  b.copies.clear();
  if (b.pendingArrivals == 0 && b.tx == 0) {
    ++b.phase;
    b.pendingArrivals = b.count;
  } else if (b.pendingArrivals < 0 || b.tx < 0) {
    throw std::runtime_error("mbarrier: more arrivals or bytes than the phase expects");
  }
}

}  // namespace

bool releaseMbarrierWaiters(Engine& e) {
  bool released = false;
  for (Fiber& f : e.fibers) {
    if (f.state != State::AtMbarrier) continue;
    Mbarrier& b = e.mbarriers.at(f.waitBarrier);
    if ((b.phase & 1) == f.waitParity) settle(e, b);
    if ((b.phase & 1) != f.waitParity) {
      f.state = State::Ready;
      released = true;
    }
  }
  return released;
}

void checkMbarriersDrained(const Engine& e) {
  for (const auto& [address, b] : e.mbarriers)
    if (!b.copies.empty())
      throw std::runtime_error("mbarrier at " + std::to_string(address) + ": " + std::to_string(b.copies.size()) + " tensor copies were never waited for");
}

}  // namespace detail

using namespace detail;

void mbarrierInit(uint64_t* bar, int count) {
  Engine& e = running();
  if (count < 1) throw std::runtime_error(placeOf(*e.current) + ": mbarrier.init with count " + std::to_string(count));
  Mbarrier b;
  b.count = b.pendingArrivals = count;
  e.mbarriers[sharedAddress(bar)] = b;
}

void mbarrierArriveExpectTx(uint64_t* bar, uint32_t bytes) {
  Engine& e = running();
  Mbarrier& b = barrierAt(e, bar, "arrive.expect_tx");
  b.tx += bytes;
  --b.pendingArrivals;
}

void mbarrierWait(uint64_t* bar, int parity) {
  Engine& e = running();
  Mbarrier& b = barrierAt(e, bar, "wait");
  if ((b.phase & 1) == parity) settle(e, b);
  if ((b.phase & 1) != parity) return;
  e.current->waitBarrier = sharedAddress(bar);
  e.current->waitParity = parity;
  suspend(State::AtMbarrier);
}

void tmaLoad3d(void* dst, const TensorMap& map, int x, int y, int z, uint64_t* bar) {
  Engine& e = running();
  if (map.box[0] * 2 > 128) throw std::runtime_error(placeOf(*e.current) + ": TMA box rows wider than the 128-byte swizzle span");
  const uint32_t to = sharedAddress(dst);
  if (to % 1024 != 0) throw std::runtime_error(placeOf(*e.current) + ": TMA box with the 128-byte swizzle not at a 1024-byte shared address");
  Mbarrier& b = barrierAt(e, bar, "cp.async.bulk.tensor");
  b.copies.push_back(PendingTensorCopy{to, map, x, y, z});
}

}  // namespace attnscope::emu
