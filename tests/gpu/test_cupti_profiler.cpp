// CUPTI on a real device: kernel records appear for a run and are tied to it
// by its external id, their summed duration agrees with cudaEvent timing
// within 5%, and the peak device memory replayed from allocation records
// equals the known allocations of a test run. Skipped, with the reason,
// where no GPU is found or CUPTI cannot be enabled.
#include <QtTest>

#include <cuda_runtime.h>

#include <chrono>

#include "cupti_profiler.hpp"
#include "device_buffer.hpp"
#include "flash_device_layout.hpp"
#include "flash_launch.hpp"
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

  // What tracing costs (a benchmark ratio, printed, not a pass/fail time):
  // wall time of back-to-back launches of a flash forward (fp32 dense, n =
  // 4096, 8 heads: far above 50 us each) with CUPTI collecting, against the same launches with it
  // paused before and after, in the same process. The goal is <= 2%.
  void tracingOverhead() {
    const std::string why = cuptiUnavailable();
    if (!why.empty()) QSKIP(qPrintable(QString::fromStdString("skipped: " + why)));
    constexpr int64_t n = 4096, d = 64;
    constexpr int heads = 8, launches = 200;
    std::vector<float> host(static_cast<size_t>(heads * n * d));
    for (size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
    DeviceArray<float> q(nullptr, host.data(), host.size()), k(nullptr, host.data(), host.size()), v(nullptr, host.data(), host.size());
    DeviceArray<float> o(nullptr, host.size());
    const BlockLayout layout = denseLayout(n, 64, false);
    const FlashLayoutArrays arrays = buildFlashLayout(layout);
    const DeviceFlashLayout deviceLayout(arrays, nullptr);
    FlashParams p;
    p.q = q.get();
    p.k = k.get();
    p.v = v.get();
    p.o = o.get();
    p.heads = heads;
    p.n = n;
    p.nKeys = n;
    p.d = d;
    p.dv = d;
    p.scale = 0.125f;
    p.layout = deviceLayout.view();
    setContiguousStrides(p);
    const auto wallMs = [&] {
      checkCuda(cudaDeviceSynchronize(), "sync");
      const auto start = std::chrono::steady_clock::now();
      for (int r = 0; r < launches; ++r) checkCuda(static_cast<cudaError_t>(launchFlashForward(p, nullptr)), "flash forward");
      checkCuda(cudaDeviceSynchronize(), "sync");
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    CuptiProfiler& cupti = CuptiProfiler::instance();
    wallMs();  // warm-up, traced
    cupti.pause();
    const double before = wallMs();
    cupti.resume();
    const double traced = wallMs();
    cupti.pause();
    const double after = wallMs();
    cupti.resume();
    cupti.flushAndTake();
    const double untraced = 0.5 * (before + after);
    QVERIFY(before > 0 && traced > 0 && after > 0);
    qInfo("CUPTI tracing overhead: %.2f%% (%d launches of %.1f us: traced %.3f ms, untraced %.3f / %.3f ms)", 100.0 * (traced / untraced - 1.0), launches,
          1e3 * untraced / launches, traced, before, after);
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
