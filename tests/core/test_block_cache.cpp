// Large workspace blocks are reused between kernel calls; the meter still
// counts only live buffers.
#include <QtTest>

#include "profiling/block_cache.hpp"
#include "profiling/profiler.hpp"

using namespace attnscope;

class TestBlockCache : public QObject {
  Q_OBJECT

 private slots:
  void init() { block_cache::clear(); }

  void freedLargeBufferIsHandedBack() {
    const int64_t floats = 4 << 20;  // 16 MiB
    const float* first = nullptr;
    MemoryMeter meter;
    {
      TrackedBuffer a(&meter, floats);
      first = a.data();
      a.data()[floats - 1] = 3.0f;
      QCOMPARE(meter.current(), floats * 4);
    }
    QCOMPARE(meter.current(), int64_t{0});
    QCOMPARE(block_cache::cachedBytes(), size_t(floats) * 4);
    // A slightly smaller request fits the same block; the meter counts what was asked.
    TrackedBuffer b(&meter, floats - 1000);
    QCOMPARE(b.data(), first);
    QCOMPARE(meter.current(), (floats - 1000) * 4);
    QCOMPARE(block_cache::cachedBytes(), size_t{0});
  }

  void blockMoreThanTwiceTheRequestIsNotUsed() {
    const int64_t floats = 1 << 20;
    { TrackedBuffer big(nullptr, 4 * floats); }
    QCOMPARE(block_cache::cachedBytes(), size_t(4 * floats) * 4);
    TrackedBuffer small(nullptr, floats);
    QCOMPARE(block_cache::cachedBytes(), size_t(4 * floats) * 4);  // still cached, small got its own
  }

  void smallBlocksAreNotKept() {
    { TrackedBuffer a(nullptr, 1000); }
    QCOMPARE(block_cache::cachedBytes(), size_t{0});
  }

  void cacheStaysUnderItsBound() {
    const size_t floats = (block_cache::kMaxBytes / 4) / 4;  // three always fit beside each other; five do not
    std::vector<TrackedBuffer> live;
    for (int i = 0; i < 5; ++i) live.emplace_back(nullptr, static_cast<int64_t>(floats) + i);
    live.clear();
    QVERIFY(block_cache::cachedBytes() <= block_cache::kMaxBytes);
    QVERIFY(block_cache::cachedBytes() >= 3 * floats * 4);
  }

  void movedBufferGivesItsBlockBackOnce() {
    const int64_t floats = 1 << 20;
    MemoryMeter meter;
    {
      TrackedBuffer a(&meter, floats);
      TrackedBuffer b(std::move(a));
      TrackedBuffer c;
      c = std::move(b);
      QCOMPARE(meter.current(), floats * 4);
    }
    QCOMPARE(meter.current(), int64_t{0});
    QCOMPARE(block_cache::cachedBytes(), size_t(floats) * 4);
  }
};

QTEST_APPLESS_MAIN(TestBlockCache)
#include "test_block_cache.moc"
