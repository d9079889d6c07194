// The CPU emulation of CUDA that the kernel suites run on: its shuffles,
// barriers and mma.sync must mean what the hardware's do, and the mistakes it
// exists to catch (a missing barrier, a deadlock, divergent collectives,
// shared-memory overruns) must fail loudly.
#include <QtTest>

#include <bit>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "cuda_emu.hpp"
#include "low_precision.hpp"
#include "mma_sm80.cuh"

using namespace attnscope;
namespace emu = attnscope::emu;
namespace dev = attnscope::kernels::device;

namespace {

// Runs body on a 1-D block; returns the error message ("" when it ran cleanly).
std::string runCatching(unsigned threads, size_t shared, const std::function<void()>& body, emu::Order order = emu::Order::Forward) {
  try {
    emu::launch(emu::LaunchConfig{dim3(1), dim3(threads), shared, order, 7}, body);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// An element of a 16-bit operand register pair: elements 2r and 2r + 1 of a lane's fragment sit in register r.
void put(uint32_t* regs, int element, uint16_t bits) {
  const int r = element / 2;
  if (element % 2) regs[r] = (regs[r] & 0xFFFFu) | (static_cast<uint32_t>(bits) << 16);
  else regs[r] = (regs[r] & 0xFFFF0000u) | bits;
}

}  // namespace

class TestCudaEmulator : public QObject {
  Q_OBJECT

 private slots:
  void placesCoverTheGrid() {
    std::vector<int> seen(2 * 3 * 64, 0);
    emu::launch(emu::LaunchConfig{dim3(2, 3), dim3(16, 4), 0}, [&] {
      QCOMPARE(blockDim.x, 16u);
      QCOMPARE(gridDim.y, 3u);
      const unsigned block = blockIdx.y * gridDim.x + blockIdx.x, thread = threadIdx.y * blockDim.x + threadIdx.x;
      ++seen[block * 64 + thread];
    });
    for (int s : seen) QCOMPARE(s, 1);
  }

  void shufflesFollowCudaSemantics() {
    std::vector<int> fromSegment(64), butterfly(64), down(64), xorWide(64);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(64), 0}, [&] {
      const int t = static_cast<int>(threadIdx.x);
      fromSegment[t] = __shfl_sync(0xffffffffu, 100 + t, 1, 4);  // lane 1 of this lane's group of 4
      int sum = t;
      for (int m = 16; m >= 1; m /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, m);
      butterfly[t] = sum;
      down[t] = __shfl_down_sync(0xffffffffu, t, 3);  // the last 3 lanes of a warp keep their own value
      xorWide[t] = __shfl_xor_sync(0xffffffffu, t, 4, 4);  // past the 4-lane segment: own value
    });
    for (int t = 0; t < 64; ++t) {
      QCOMPARE(fromSegment[t], 100 + (t & ~3) + 1);
      const int warpBase = t & ~31;
      QCOMPARE(butterfly[t], 32 * warpBase + 31 * 32 / 2);  // the sum over this warp's lanes only
      QCOMPARE(down[t], (t % 32) + 3 < 32 ? t + 3 : t);
      QCOMPARE(xorWide[t], t);
    }
  }

  void floatShufflesKeepBits() {
    std::vector<float> got(32);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(32), 0}, [&] {
      const float mine = threadIdx.x == 5 ? -INFINITY : 0.25f * static_cast<float>(threadIdx.x);
      got[threadIdx.x] = __shfl_sync(0xffffffffu, mine, 5);
    });
    for (float g : got) QCOMPARE(g, -INFINITY);
  }

  void barriersReduceAndPublish() {
    std::vector<int> orResult(96), countResult(96), neighbour(96);
    for (emu::Order order : {emu::Order::Forward, emu::Order::Reverse, emu::Order::Shuffled}) {
      emu::launch(emu::LaunchConfig{dim3(2), dim3(96), 96 * sizeof(int), order, 3}, [&] {
        int* s = reinterpret_cast<int*>(emu::dynamicShared());
        const int t = static_cast<int>(threadIdx.x);
        s[t] = 1000 * static_cast<int>(blockIdx.x) + t;
        orResult[t] = __syncthreads_or(t == 70 && blockIdx.x == 1);
        countResult[t] = __syncthreads_count(t % 3 == 0);
        neighbour[t] = s[(t + 1) % 96];
      });
      for (int t = 0; t < 96; ++t) {
        QCOMPARE(orResult[t], 1);  // the last block ran last: thread 70 of block 1 said yes
        QCOMPARE(countResult[t], 32);
        QCOMPARE(neighbour[t], 1000 + (t + 1) % 96);
      }
    }
  }

  // Without the barrier, a reader can run before its writer: the emulation's
  // scheduling orders must be able to show that.
  void missingBarrierShowsInSomeOrder() {
    std::vector<int> neighbour(64);
    const auto racy = [&] {
      int* s = reinterpret_cast<int*>(emu::dynamicShared());
      const int t = static_cast<int>(threadIdx.x);
      s[t] = t;
      neighbour[t] = s[(t + 1) % 64];  // no __syncthreads() in between
    };
    const int fill = static_cast<int>(0xA5A5A5A5u);  // what unwritten shared memory holds
    emu::launch(emu::LaunchConfig{dim3(1), dim3(64), 64 * sizeof(int), emu::Order::Forward}, racy);
    QCOMPARE(neighbour[10], fill);  // thread 10 finished before thread 11 began
    QCOMPARE(neighbour[63], 0);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(64), 64 * sizeof(int), emu::Order::Reverse}, racy);
    QCOMPARE(neighbour[10], 11);  // reverse order hides it here, and shows it at the wrap-around
    QCOMPARE(neighbour[63], fill);
  }

  void deadlockIsAnError() {
    const std::string e = runCatching(64, 0, [] {
      if (threadIdx.x < 16) __syncthreads();
      else (void)__shfl_sync(0xffffffffu, 1, 0);
    });
    QVERIFY2(contains(e, "deadlock"), e.c_str());
  }

  void divergentCollectivesAreAnError() {
    const std::string e = runCatching(32, 0, [] {
      if (threadIdx.x < 16) {
        (void)__shfl_sync(0xffffffffu, 1, 0);
      } else {
        float c[4] = {};
        const uint32_t a[4] = {};
        emu::mmaM16N8K16(c, a, 0, 0, emu::MmaElement::Fp16);
      }
    });
    QVERIFY2(contains(e, "different collectives"), e.c_str());
  }

  void collectiveWithExitedLanesIsAnError() {
    const std::string e = runCatching(32, 0, [] {
      if (threadIdx.x >= 8) return;
      (void)__shfl_xor_sync(0xffffffffu, 1, 1);
    });
    QVERIFY2(contains(e, "exited"), e.c_str());
  }

  void exitedThreadsDoNotHoldBarriers() {
    int after = 0;
    const std::string e = runCatching(64, 0, [&] {
      if (threadIdx.x >= 32) return;  // a whole warp leaves early
      __syncthreads();
      ++after;
    });
    QVERIFY2(e.empty(), e.c_str());
    QCOMPARE(after, 32);
  }

  // cp.async lands at the wait that retires its group (not at a barrier),
  // zero-fills when invalid, and may not outlive its thread.
  void cpAsyncLandsAtItsWait() {
    const std::vector<uint32_t> src = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<uint32_t> seen(12);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(32), 64}, [&] {
      auto* s = reinterpret_cast<uint32_t*>(emu::dynamicShared());
      if (threadIdx.x == 0) {
        std::memset(s, 0xFF, 64);
        dev::cpAsync16(s, src.data(), true);
        dev::cpAsyncCommit();
        dev::cpAsync16(s + 4, src.data() + 4, true);
        dev::cpAsync16(s + 8, src.data(), false);
        dev::cpAsyncCommit();
      }
      __syncthreads();
      if (threadIdx.x == 0) {
        seen[0] = s[0];  // nothing landed yet
        dev::cpAsyncWait<1>();
        seen[1] = s[0];  // the first group
        seen[2] = s[4];  // the second is still in flight
        dev::cpAsyncWait<0>();
        seen[3] = s[4];
        seen[4] = s[8];  // the zero fill
      }
    });
    QCOMPARE(seen[0], 0xFFFFFFFFu);
    QCOMPARE(seen[1], 1u);
    QCOMPARE(seen[2], 0xFFFFFFFFu);
    QCOMPARE(seen[3], 5u);
    QCOMPARE(seen[4], 0u);
    const std::string err = runCatching(32, 64, [&] {
      dev::cpAsync16(emu::dynamicShared(), src.data(), true);
      dev::cpAsyncCommit();
    });
    QVERIFY2(contains(err, "never waited for"), err.c_str());
  }

  void sharedOverrunAndTrapAreErrors() {
    std::string e = runCatching(32, 100, [] {
      if (threadIdx.x == 3) emu::dynamicShared()[100 + 5] = 1;
    });
    QVERIFY2(contains(e, "past its 100-byte"), e.c_str());
    e = runCatching(32, 0, [] {
      if (threadIdx.x == 9) __trap();
    });
    QVERIFY2(contains(e, "__trap") && contains(e, "thread 9"), e.c_str());
    e = runCatching(32, 0, [] { throw std::runtime_error("from the kernel"); });
    QVERIFY2(contains(e, "from the kernel"), e.c_str());
  }

  // The fragment layouts as the PTX ISA tables state them, element by element
  // (a0..a7, b0..b3, c0..c3 of lane = 4 * groupID + threadID_in_group),
  // against a plain product of the same 16-bit values.
  void mmaMatchesPlainProduct_data() {
    QTest::addColumn<bool>("bf16");
    QTest::newRow("fp16") << false;
    QTest::newRow("bf16") << true;
  }
  void mmaMatchesPlainProduct() {
    QFETCH(bool, bf16);
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const auto round16 = [bf16](float x) { return bf16 ? kernels::roundToBf16(x) : kernels::roundToHalf(x); };
    const auto bits16 = [bf16](float x) { return bf16 ? emu::bf16Bits(x) : emu::halfBits(x); };
    float a[16][16], b[16][8], c[16][8];
    for (auto& row : a)
      for (float& x : row) x = round16(normal(rng));
    for (auto& row : b)
      for (float& x : row) x = round16(normal(rng));
    for (auto& row : c)
      for (float& x : row) x = normal(rng);
    std::vector<float> d(16 * 8, 0.0f);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(32), 0}, [&] {
      const int lane = static_cast<int>(threadIdx.x), group = lane / 4, tig = lane % 4;
      uint32_t ra[4] = {}, rb[2] = {};
      for (int i = 0; i < 8; ++i) {
        const int row = (i < 2 || (i >= 4 && i < 6)) ? group : group + 8;
        const int col = tig * 2 + (i & 1) + (i >= 4 ? 8 : 0);
        put(ra, i, bits16(a[row][col]));
      }
      for (int i = 0; i < 4; ++i) put(rb, i, bits16(b[tig * 2 + (i & 1) + (i >= 2 ? 8 : 0)][group]));
      float rc[4];
      for (int i = 0; i < 4; ++i) rc[i] = c[i < 2 ? group : group + 8][tig * 2 + (i & 1)];
      emu::mmaM16N8K16(rc, ra, rb[0], rb[1], bf16 ? emu::MmaElement::Bf16 : emu::MmaElement::Fp16);
      for (int i = 0; i < 4; ++i) d[static_cast<size_t>((i < 2 ? group : group + 8) * 8 + tig * 2 + (i & 1))] = rc[i];
    });
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 8; ++j) {
        double want = c[i][j];
        for (int k = 0; k < 16; ++k) want += static_cast<double>(a[i][k]) * b[k][j];
        QVERIFY2(std::abs(d[static_cast<size_t>(i * 8 + j)] - want) <= 1e-5 * (1.0 + std::abs(want)), qPrintable(QString("D(%1,%2)").arg(i).arg(j)));
      }
  }

  // ldmatrix as the PTX ISA states it: lane l gets, of matrix m (rows given
  // by lanes 8m .. 8m + 7), elements (l / 4, 2 (l % 4) + h) or, with .trans,
  // (2 (l % 4) + h, l / 4), h = 0 in the low half.
  void ldmatrixMatchesTheIsa() {
    for (bool trans : {false, true}) {
      std::vector<uint32_t> got(32 * 4);
      emu::launch(emu::LaunchConfig{dim3(1), dim3(32), 4 * 8 * 24 * 2}, [&] {
        uint16_t* s = reinterpret_cast<uint16_t*>(emu::dynamicShared());
        const int lane = static_cast<int>(threadIdx.x);
        for (int c = 0; c < 24; ++c) s[lane * 24 + c] = static_cast<uint16_t>(lane * 100 + c);  // row lane, stride 24
        __syncthreads();
        uint32_t r[4];
        // Matrix m's row q is shared row 8m + q, from column 8 (16-byte aligned).
        emu::ldmatrixX4(r, s + lane * 24 + 8, trans);
        for (int m = 0; m < 4; ++m) got[static_cast<size_t>(lane * 4 + m)] = r[m];
      });
      for (int lane = 0; lane < 32; ++lane)
        for (int m = 0; m < 4; ++m)
          for (int h = 0; h < 2; ++h) {
            const int row = trans ? 2 * (lane % 4) + h : lane / 4, col = trans ? lane / 4 : 2 * (lane % 4) + h;
            const uint32_t want = static_cast<uint32_t>((8 * m + row) * 100 + 8 + col);
            QCOMPARE((got[static_cast<size_t>(lane * 4 + m)] >> (16 * h)) & 0xFFFFu, want);
          }
    }
    const std::string e = runCatching(32, 512, [] {
      uint32_t r[4];
      emu::ldmatrixX4(r, emu::dynamicShared() + 8, false);
    });
    QVERIFY2(contains(e, "16-byte aligned"), e.c_str());
  }

  // The kernel's fragment addressing (rowsForA, rowsForBFromNk, rowsForBFromKn
  // in mma_sm80.cuh) with ldmatrix and mma.sync: S = A K^T and O = A V from
  // row-major tiles, against plain products.
  void fragmentsFromRowMajorTiles() {
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    float a[16][16], k[16][16], v[16][16];
    for (auto* m : {&a, &k, &v})
      for (auto& row : *m)
        for (float& x : row) x = kernels::roundToBf16(normal(rng));
    constexpr int kStride = 24;
    std::vector<float> s(16 * 16), o(16 * 16);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(32), 3 * 16 * kStride * 2}, [&] {
      uint16_t* sh = reinterpret_cast<uint16_t*>(emu::dynamicShared());
      uint16_t *ta = sh, *tk = sh + 16 * kStride, *tv = sh + 32 * kStride;
      const int lane = static_cast<int>(threadIdx.x), g = lane / 4, tig = lane % 4;
      if (lane < 16)
        for (int c = 0; c < 16; ++c) {
          ta[lane * kStride + c] = emu::bf16Bits(a[lane][c]);
          tk[lane * kStride + c] = emu::bf16Bits(k[lane][c]);
          tv[lane * kStride + c] = emu::bf16Bits(v[lane][c]);
        }
      __syncthreads();
      uint32_t fa[4], fk[4], fv[4];
      kernels::device::ldmatrixX4<false>(fa, kernels::device::rowsForA(ta, kStride, 0, 0, lane));
      kernels::device::ldmatrixX4<false>(fk, kernels::device::rowsForBFromNk(tk, kStride, 0, 0, lane));
      kernels::device::ldmatrixX4<true>(fv, kernels::device::rowsForBFromKn(tv, kStride, 0, 0, lane));
      for (int nt = 0; nt < 2; ++nt) {
        float cs[4] = {}, co[4] = {};
        kernels::device::mma16816<true>(cs, fa, fk[2 * nt], fk[2 * nt + 1]);
        kernels::device::mma16816<true>(co, fa, fv[2 * nt], fv[2 * nt + 1]);
        for (int e = 0; e < 4; ++e) {
          const size_t at = static_cast<size_t>((g + 8 * (e / 2)) * 16 + nt * 8 + 2 * tig + (e % 2));
          s[at] = cs[e];
          o[at] = co[e];
        }
      }
    });
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 16; ++j) {
        double ws = 0, wo = 0;
        for (int x = 0; x < 16; ++x) {
          ws += static_cast<double>(a[i][x]) * k[j][x];
          wo += static_cast<double>(a[i][x]) * v[x][j];
        }
        QVERIFY2(std::abs(s[static_cast<size_t>(i * 16 + j)] - ws) < 1e-4 * (1 + std::abs(ws)), qPrintable(QString("S(%1,%2)").arg(i).arg(j)));
        QVERIFY2(std::abs(o[static_cast<size_t>(i * 16 + j)] - wo) < 1e-4 * (1 + std::abs(wo)), qPrintable(QString("O(%1,%2)").arg(i).arg(j)));
      }
  }

  // The device conversions the emulation provides against the host rounding
  // the references use: same value for every class of input.
  void conversionsRoundToNearestEven() {
    std::vector<float> xs = {0.0f, -0.0f, 1.0f, -1.5f, 65504.0f, 65519.0f, 65520.0f, 1e-8f, 5.96e-8f, 2.98e-8f, 6.1e-5f, 6.09e-5f, 1.0009765625f,
                             1.00048828125f, 1.00146484375f, 3.0e38f, -3.4e38f, INFINITY, -INFINITY};
    std::mt19937 rng(5);
    std::uniform_int_distribution<uint32_t> anyBits;
    for (int i = 0; i < 20000; ++i) {
      const float x = std::bit_cast<float>(anyBits(rng));
      if (!std::isnan(x)) xs.push_back(x);
    }
    for (float x : xs) {
      QCOMPARE(std::bit_cast<uint32_t>(emu::halfValue(emu::halfBits(x))), std::bit_cast<uint32_t>(kernels::roundToHalf(x)));
      QCOMPARE(std::bit_cast<uint32_t>(emu::bf16Value(emu::bf16Bits(x))), std::bit_cast<uint32_t>(kernels::roundToBf16(x)));
      QCOMPARE(std::bit_cast<uint32_t>(__half2float(__float2half_rn(x))), std::bit_cast<uint32_t>(kernels::roundToHalf(x)));
    }
    QVERIFY(std::isnan(emu::halfValue(emu::halfBits(NAN))));
    QVERIFY(std::isnan(emu::bf16Value(emu::bf16Bits(NAN))));
  }
};

QTEST_APPLESS_MAIN(TestCudaEmulator)
#include "test_cuda_emulator.moc"
