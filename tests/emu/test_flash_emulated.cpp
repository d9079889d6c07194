// The flash forward kernels' own source (fp32 SIMT, fp16/bf16 mma.sync) run
// under the CPU emulation of CUDA on the shared flash cases, against the CPU
// backend with the GPU suite's tolerances (tests/support/flash_cases.hpp).
// Each case also runs with the block's threads scheduled in reverse and in a
// shuffled order between barriers: a result that depends on the order is a
// missing barrier. What this cannot show: speed, or anything the hardware
// does that the emulation does not model (memory ordering between blocks,
// bank conflicts, register limits); the GPU suite covers those.
#include <QtTest>

#include <cmath>
#include <cstring>

#include "backend/backend.hpp"
#include "flash_cases.hpp"
#include "flash_fwd_fp32_kernel.cuh"
#include "flash_fwd_mma_kernel.cuh"
#include "flash_layout_host.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

constexpr unsigned char kGuardByte = 0xA5;
constexpr size_t kGuardFloats = 64;

struct EmulatedOutput {
  std::vector<Mat> output;
  std::vector<std::vector<float>> lse;
  bool guardsIntact = true;
  std::vector<float> rawO;  // all of O, for bitwise comparisons between orders
};

std::vector<float> packHeads(const std::vector<Mat>& heads) {
  std::vector<float> out;
  for (const Mat& m : heads) out.insert(out.end(), m.data(), m.data() + m.size());
  return out;
}

bool guardIntact(const std::vector<float>& buffer, size_t from) {
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(buffer.data() + from);
  for (size_t i = 0; i < (buffer.size() - from) * sizeof(float); ++i)
    if (bytes[i] != kGuardByte) return false;
  return true;
}

// fp32 -> 16-bit through the device conversion kernel itself, as the GPU runner does.
std::vector<uint16_t> convert(const std::vector<float>& src, FlashElement e) {
  std::vector<uint16_t> dst(src.size());
  const int64_t count = static_cast<int64_t>(src.size());
  emu::launch(emu::LaunchConfig{dim3(3), dim3(64), 0}, [&] {
    if (e == FlashElement::Bf16) device::convertFromFp32<true>(src.data(), dst.data(), count);
    else device::convertFromFp32<false>(src.data(), dst.data(), count);
  });
  return dst;
}

template <int D>
void launchEmulated(const FlashParams& p, emu::Order order, uint64_t seed) {
  if (p.element == FlashElement::Fp32) {
    using T = FlashFp32Traits<D>;
    emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads)), dim3(T::kThreads), T::kSmemBytes, order, seed},
                [&] { device::flashForwardFp32<D>(p); });
  } else {
    using T = FlashMmaTraits<D>;
    const bool bf16 = p.element == FlashElement::Bf16;
    emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads)), dim3(T::kThreads), T::kSmemBytes, order, seed},
                [&] {
                  if (bf16) device::flashForwardMma<D, true>(p);
                  else device::flashForwardMma<D, false>(p);
                });
  }
}

// The emulated counterpart of runFlashForward (flash_runner.cpp): same
// support check, layout arrays, params and guard floats, host memory for device memory.
EmulatedOutput runEmulated(const Qkv& qkv, const std::vector<const BlockLayout*>& layouts, FlashElement element, emu::Order order, uint64_t seed = 1) {
  FlashRequest request;
  request.element = element;
  request.d = static_cast<int>(qkv.d());
  request.dv = static_cast<int>(qkv.dv());
  request.heads = qkv.heads();
  request.n = qkv.n();
  request.nKeys = qkv.k.front().rows();
  for (const BlockLayout* l : layouts) {
    const std::string why = flashSupports(request, *l);
    if (!why.empty()) throw Error(ErrorKind::Unsupported, "flash kernel: " + why);
  }
  const FlashLayoutArrays arrays = buildFlashLayout(layouts);
  FlashParams p;
  p.element = element;
  p.heads = request.heads;
  p.n = request.n;
  p.nKeys = request.nKeys;
  p.d = request.d;
  p.dv = request.dv;
  p.scale = 1.0f / std::sqrt(static_cast<float>(p.d));
  p.layout = hostView(arrays);
  setContiguousStrides(p);

  const std::vector<float> q32 = packHeads(qkv.q), k32 = packHeads(qkv.k), v32 = packHeads(qkv.v);
  std::vector<uint16_t> q16, k16, v16;
  if (element == FlashElement::Fp32) {
    p.q = q32.data();
    p.k = k32.data();
    p.v = v32.data();
  } else {
    q16 = convert(q32, element);
    k16 = convert(k32, element);
    v16 = convert(v32, element);
    p.q = q16.data();
    p.k = k16.data();
    p.v = v16.data();
  }
  const size_t oFloats = static_cast<size_t>(p.heads * p.n * p.dv), lseFloats = static_cast<size_t>(p.heads * p.n);
  std::vector<float> o(oFloats + kGuardFloats), lse(lseFloats + kGuardFloats);
  std::memset(o.data(), kGuardByte, o.size() * sizeof(float));
  std::memset(lse.data(), kGuardByte, lse.size() * sizeof(float));
  p.o = o.data();
  p.lse = lse.data();
  const std::string bad = flashCheckParams(p);
  if (!bad.empty()) throw Error(ErrorKind::InvalidArgument, "flash kernel: " + bad);

  switch (p.d) {
    case 32: launchEmulated<32>(p, order, seed); break;
    case 64: launchEmulated<64>(p, order, seed); break;
    case 128: launchEmulated<128>(p, order, seed); break;
    default: throw Error(ErrorKind::Unsupported, "no traits for d = " + std::to_string(p.d));
  }

  EmulatedOutput out;
  for (int h = 0; h < p.heads; ++h) {
    Mat m(p.n, p.dv);
    std::memcpy(m.data(), o.data() + static_cast<size_t>(h * p.n * p.dv), static_cast<size_t>(p.n * p.dv) * sizeof(float));
    out.output.push_back(std::move(m));
    out.lse.emplace_back(lse.begin() + h * p.n, lse.begin() + (h + 1) * p.n);
  }
  out.guardsIntact = guardIntact(o, oFloats) && guardIntact(lse, lseFloats);
  o.resize(oFloats);
  out.rawO = std::move(o);
  return out;
}

}  // namespace

class TestFlashEmulated : public QObject {
  Q_OBJECT

 private slots:
  void matchesCpu_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    for (size_t i = 0; i < flashCases().size(); ++i)
      for (int e = 0; e < 3; ++e)
        QTest::addRow("%s_%s", flashCaseName(flashCases()[i]).c_str(), elementName(static_cast<FlashElement>(e))) << static_cast<int>(i) << e;
  }
  void matchesCpu() {
    QFETCH(int, index);
    QFETCH(int, element);
    const FlashCase& c = flashCases()[static_cast<size_t>(index)];
    const FlashElement e = static_cast<FlashElement>(element);
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    std::vector<const BlockLayout*> ptrs;
    for (const BlockLayout& l : layouts) ptrs.push_back(&l);

    const EmulatedOutput got = runEmulated(qkv, ptrs, e, emu::Order::Forward);
    QVERIFY2(got.guardsIntact, "the kernel wrote past the end of O or LSE");
    const AttentionResult cpu = BackendRegistry::instance().get("cpu").run(spec, qkv, RunOptions{});
    for (int h = 0; h < c.heads; ++h) {
      const size_t hs = static_cast<size_t>(h);
      const Mat& want = cpu.output[hs];
      const double err = relativeMaxError(got.output[hs], want);
      QVERIFY2(std::isfinite(err), qPrintable(QString("head %1: non-finite output").arg(h)));
      if (e == FlashElement::Fp32) {
        QVERIFY2(err < 1e-4, qPrintable(QString("head %1: fp32 error %2").arg(h).arg(err)));
      } else {
        const Mat naive = naiveLowPrecision(qkv.q[hs], qkv.k[hs], qkv.v[hs], pairMask(layouts[hs]), e);
        const double bound = 2.0 * relativeMaxError(naive, want);
        QVERIFY2(err <= bound, qPrintable(QString("head %1: %2 error %3, naive same-precision bound %4").arg(h).arg(elementName(e)).arg(err).arg(bound)));
      }
      const std::vector<uint8_t> mask = pairMask(layouts[hs]);
      for (int64_t i = 0; i < c.n; ++i)
        QVERIFY2(std::isfinite(got.lse[hs][static_cast<size_t>(i)]) == rowAttends(mask, c.n, i), qPrintable(QString("head %1 row %2: LSE").arg(h).arg(i)));
    }
  }

  // Threads between two barriers run in another order: the output must not move by a bit.
  void independentOfThreadOrder_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("element");
    // One case per kind of layout walk, each on a different path.
    const std::vector<std::pair<size_t, int>> picks = {{1, 0}, {4, 1}, {6, 2}, {8, 0}, {9, 1}};
    for (const auto& [i, e] : picks)
      QTest::addRow("%s_%s", flashCaseName(flashCases()[i]).c_str(), elementName(static_cast<FlashElement>(e))) << static_cast<int>(i) << e;
  }
  void independentOfThreadOrder() {
    QFETCH(int, index);
    QFETCH(int, element);
    const FlashCase& c = flashCases()[static_cast<size_t>(index)];
    const AttentionSpec spec = specOf(c);
    const Qkv qkv = inputsOf(c);
    const std::vector<BlockLayout> layouts = layoutsOf(c, spec, qkv);
    std::vector<const BlockLayout*> ptrs;
    for (const BlockLayout& l : layouts) ptrs.push_back(&l);
    const FlashElement e = static_cast<FlashElement>(element);
    const EmulatedOutput forward = runEmulated(qkv, ptrs, e, emu::Order::Forward);
    const EmulatedOutput reverse = runEmulated(qkv, ptrs, e, emu::Order::Reverse);
    const EmulatedOutput shuffled = runEmulated(qkv, ptrs, e, emu::Order::Shuffled, 1234);
    QVERIFY(std::memcmp(forward.rawO.data(), reverse.rawO.data(), forward.rawO.size() * sizeof(float)) == 0);
    QVERIFY(std::memcmp(forward.rawO.data(), shuffled.rawO.data(), forward.rawO.size() * sizeof(float)) == 0);
  }

  void refusesWhatItCannotRun() {
    FlashCase c{"dense", {}, 40, 48, 1, false};
    const Qkv qkv = inputsOf(c);
    const BlockLayout l = denseLayout(40, 64, false);
    try {
      runEmulated(qkv, {&l}, FlashElement::Fp32, emu::Order::Forward);
      QFAIL("d = 48 ran");
    } catch (const Error& err) {
      QCOMPARE(err.kind(), ErrorKind::Unsupported);
      QVERIFY(std::string(err.what()).find("d = 48") != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(TestFlashEmulated)
#include "test_flash_emulated.moc"
