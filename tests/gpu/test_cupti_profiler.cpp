// CUPTI on a real device: kernel records appear for a run and are tied to it
// by its external id, their summed duration agrees with cudaEvent timing
// within 5%, and the peak device memory replayed from allocation records
// equals the known allocations of a test run. Skipped, with the reason,
// where no GPU is found or CUPTI cannot be enabled.
#include <QtTest>

#include <cuda_runtime.h>

#include "cupti_profiler.hpp"
#include "device_buffer.hpp"
#include "flash_runner.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

// Empty when CUPTI is collecting; else why not.
std::string cuptiUnavailable() {
  std::string why;
  return CuptiProfiler::instance().enable(&why) ? std::string() : why;
}

}  // namespace

class TestCuptiProfiler : public QObject {
  Q_OBJECT

 private slots:
  void kernelRecordsAgreeWithEventTiming() {
    const std::string why = cuptiUnavailable();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    // Long enough kernels (dense fp32, n = 4096, 4 heads) that launch gaps between repeats are small against them.
    Qkv qkv;
    for (int h = 0; h < 4; ++h) {
      qkv.q.push_back(randomMatrix(4096, 64, 1 + h));
      qkv.k.push_back(randomMatrix(4096, 64, 11 + h));
      qkv.v.push_back(randomMatrix(4096, 64, 21 + h));
    }
    const BlockLayout layout = denseLayout(4096, 64, false);
    FlashRunOptions options;
    options.repeats = 5;
    CuptiProfiler::instance().flushAndTake();  // drop whatever came before
    const uint64_t id = CuptiProfiler::newExternalId();
    FlashRunOutput out;
    {
      const CorrelationScope scope(id);
      out = runFlashForward(qkv, {&layout}, options);
    }
    const CuptiRecords all = CuptiProfiler::instance().flushAndTake();
    QCOMPARE(all.droppedRecords, uint64_t{0});
    const CuptiRecords mine = recordsFor(all, id);
    int64_t flashNs = 0;
    int flashKernels = 0;
    for (const KernelRecord& k : mine.kernels)
      if (shortKernelName(k.name).find("flashForward") != std::string::npos) {
        flashNs += static_cast<int64_t>(k.endNs - k.startNs);
        ++flashKernels;
        QVERIFY(k.gridX > 0 && k.blockX > 0 && k.registersPerThread > 0);
      }
    QCOMPARE(flashKernels, options.repeats);
    QVERIFY2(!mine.copies.empty(), "the run's uploads and downloads left no memcpy records");
    const double eventNs = out.kernelMs * 1e6 * options.repeats;
    const double ratio = static_cast<double>(flashNs) / eventNs;
    QVERIFY2(std::abs(ratio - 1.0) < 0.05, qPrintable(QString("CUPTI %1 ns vs cudaEvent %2 ns").arg(flashNs).arg(eventNs)));
    const Trace trace = recordsToTrace(mine, CuptiProfiler::instance().clockOffsetNs());
    QVERIFY(!trace.spans.empty());
    QVERIFY(trace.peakBytes > 0);
  }

  void peakMemoryMatchesKnownAllocations() {
    const std::string why = cuptiUnavailable();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    constexpr size_t kMiB = size_t{1} << 20;
    CuptiProfiler::instance().flushAndTake();
    const uint64_t id = CuptiProfiler::newExternalId();
    {
      const CorrelationScope scope(id);
      // Sizes in whole 2 MiB so no allocator rounding blurs the expectation:
      // a = 2, b = 6 (8 live), free a (6), c = 4 (10 live), then free all.
      auto a = std::make_unique<DeviceArray<uint8_t>>(nullptr, 2 * kMiB);
      DeviceArray<uint8_t> b(nullptr, 6 * kMiB);
      a.reset();
      DeviceArray<uint8_t> c(nullptr, 4 * kMiB);
      checkCuda(cudaDeviceSynchronize(), "sync");
    }
    const CuptiRecords mine = recordsFor(CuptiProfiler::instance().flushAndTake(), id);
    const MemoryReplay replay = replayDeviceMemory(mine.memory);
    QVERIFY2(mine.memory.size() >= 6, qPrintable(QString("%1 memory records").arg(mine.memory.size())));
    QCOMPARE(replay.peakBytes, static_cast<int64_t>(10 * kMiB));
    QCOMPARE(replay.finalBytes, int64_t{0});
  }
};

QTEST_APPLESS_MAIN(TestCuptiProfiler)
#include "test_cupti_profiler.moc"
