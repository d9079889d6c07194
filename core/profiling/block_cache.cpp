#include "profiling/block_cache.hpp"

#include <mutex>
#include <vector>

namespace attnscope::block_cache {

namespace {

struct Block {
  float* data;
  size_t capacity;  // floats
};

struct Cache {
  std::mutex mutex;
  std::vector<Block> blocks;  // oldest first
  size_t bytes = 0;
};

// Never destroyed, so a buffer released during static destruction still finds it.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

}  // namespace

float* take(size_t floats, size_t* capacity) {
  if (floats * sizeof(float) >= kMinBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    size_t best = c.blocks.size();
    for (size_t i = 0; i < c.blocks.size(); ++i) {
      const size_t cap = c.blocks[i].capacity;
      if (cap >= floats && cap <= 2 * floats && (best == c.blocks.size() || cap < c.blocks[best].capacity)) best = i;
    }
    if (best < c.blocks.size()) {
      const Block b = c.blocks[best];
      c.blocks.erase(c.blocks.begin() + static_cast<std::ptrdiff_t>(best));
      c.bytes -= b.capacity * sizeof(float);
      *capacity = b.capacity;
      return b.data;
    }
  }
  *capacity = floats;
  return new float[floats];
}

void give(float* block, size_t capacity) {
  if (!block) return;
  const size_t bytes = capacity * sizeof(float);
  if (bytes < kMinBytes || bytes > kMaxBytes) {
    delete[] block;
    return;
  }
  Cache& c = cache();
  std::vector<float*> evicted;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    // Oldest blocks go first until the new one fits.
    while (!c.blocks.empty() && c.bytes + bytes > kMaxBytes) {
      evicted.push_back(c.blocks.front().data);
      c.bytes -= c.blocks.front().capacity * sizeof(float);
      c.blocks.erase(c.blocks.begin());
    }
    c.blocks.push_back(Block{block, capacity});
    c.bytes += bytes;
  }
  for (float* p : evicted) delete[] p;
}

size_t cachedBytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.bytes;
}

void clear() {
  Cache& c = cache();
  std::vector<Block> all;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    all.swap(c.blocks);
    c.bytes = 0;
  }
  for (const Block& b : all) delete[] b.data;
}

}  // namespace attnscope::block_cache
