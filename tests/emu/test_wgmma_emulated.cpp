// wgmma in the CPU emulation, against the PTX ISA written out by hand: the
// accumulator and A-register fragments, the 128-byte swizzled shared layouts
// (K-major and MN-major) that descriptors describe, a start address moved
// inside a swizzle atom (how a kernel steps along K), and the deferred
// semantics (nothing is written before the wait_group that retires it);
// and TMA boxes: swizzled like that layout, zero outside the tensor, landed
// only when their mbarrier is waited on.
// The flash kernel's own use is checked in test_flash_emulated.cpp.
#include <QtTest>

#include <cstring>
#include <functional>
#include <random>
#include <stdexcept>
#include <vector>

#include "cuda_emu.hpp"
#include "low_precision.hpp"
#include "tma_sm90.cuh"
#include "wgmma_sm90.cuh"

using namespace attnscope;
namespace emu = attnscope::emu;
namespace dev = attnscope::kernels::device;

namespace {

// The ISA's 128-byte swizzle, written out: in each 1024-byte atom of eight
// 128-byte rows, 16-byte chunk j of row r sits at chunk j ^ (r % 8).
size_t swizzledByte(size_t row, size_t column) { return row * 128 + (((column / 8) ^ (row % 8)) * 16) + (column % 8) * 2; }

// Row and column of accumulator element i (of n / 2) held by thread t.
void accumulatorPlace(int t, int i, int* row, int* col) {
  const int warp = t / 32, g = (t % 32) / 4, q = t % 4;
  *row = 16 * warp + g + 8 * ((i % 4) / 2);
  *col = 8 * (i / 4) + 2 * q + (i % 2);
}

struct Operands {
  std::vector<float> a;  // [64][kCols] row-major
  std::vector<float> b;  // [16][n]: B(k, x)
  int n;
};

double want(const Operands& o, int kCols, int k0, int row, int col) {
  double s = 0.0;
  for (int k = 0; k < 16; ++k) s += static_cast<double>(o.a[static_cast<size_t>(row * kCols + k0 + k)]) * o.b[static_cast<size_t>(k * o.n + col)];
  return s;
}

// Every thread's accumulators d ([128][n / 2]) against want(thread, element, row, col);
// returns the first mismatch ("" when none).
QString firstMismatch(const std::vector<float>& d, int n, const std::function<double(int, int, int, int)>& wanted) {
  for (int t = 0; t < 128; ++t)
    for (int i = 0; i < n / 2; ++i) {
      int row, col;
      accumulatorPlace(t, i, &row, &col);
      const double w = wanted(t, i, row, col), got = d[static_cast<size_t>(t * n / 2 + i)];
      if (std::abs(got - w) > 1e-4 * (1.0 + std::abs(w))) return QString("D(%1,%2) = %3, want %4").arg(row).arg(col).arg(got).arg(w);
    }
  return {};
}

}  // namespace

class TestWgmmaEmulated : public QObject {
  Q_OBJECT

 private slots:
  // A and B K-major from shared memory (S = Q K^T's form), A's k16 step
  // starting 64 bytes into its 128-byte rows.
  void sharedOperandsMatchTheIsa() {
    constexpr int kCols = 64, kN = 64, kStep = 2;  // A is 64 x 64; the product uses its columns [32, 48)
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Operands o{std::vector<float>(64 * kCols), std::vector<float>(16 * kN), kN};
    for (float& x : o.a) x = kernels::roundToBf16(normal(rng));
    for (float& x : o.b) x = kernels::roundToBf16(normal(rng));
    const size_t aBytes = 64 * 128, bBytes = kN * 128;
    std::vector<float> d(128 * kN / 2, 0.0f);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(128), aBytes + bBytes}, [&] {
      unsigned char* smem = emu::dynamicShared();
      const int t = static_cast<int>(threadIdx.x);
      if (t == 0) {
        for (int r = 0; r < 64; ++r)
          for (int c = 0; c < kCols; ++c) {
            const uint16_t bits = emu::bf16Bits(o.a[static_cast<size_t>(r * kCols + c)]);
            std::memcpy(smem + swizzledByte(static_cast<size_t>(r), static_cast<size_t>(c)), &bits, 2);
          }
        for (int x = 0; x < kN; ++x)
          for (int k = 0; k < 16; ++k) {  // K-major B: row x holds B(., x) along K
            const uint16_t bits = emu::bf16Bits(o.b[static_cast<size_t>(k * kN + x)]);
            std::memcpy(smem + aBytes + swizzledByte(static_cast<size_t>(x), static_cast<size_t>(k)), &bits, 2);
          }
      }
      __syncthreads();
      float acc[kN / 8][4];
      for (auto& tile : acc)
        for (float& x : tile) x = 7.0f;
      const uint64_t descA = dev::wgmmaDescriptor(kStep * 32, 16, 1024), descB = dev::wgmmaDescriptor(static_cast<uint32_t>(aBytes), 16, 1024);
      dev::wgmmaSharedA<kN, true>(acc, descA, descB, false);
      dev::wgmmaCommit();
      if (acc[0][0] != 7.0f) throw std::runtime_error("accumulators written before the wait");
      dev::wgmmaWait<0>();
      for (int i = 0; i < kN / 2; ++i) d[static_cast<size_t>(t * kN / 2 + i)] = acc[i / 4][i % 4];
    });
    const QString bad = firstMismatch(d, kN, [&](int, int, int row, int col) { return want(o, kCols, kStep * 16, row, col); });
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
  }

  // A from registers (O += P V's form), B MN-major over two 64-column panels, accumulating.
  void registerOperandAndMnMajorMatchTheIsa() {
    constexpr int kN = 128, kPanelBytes = 16 * 128;
    std::mt19937 rng(9);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Operands o{std::vector<float>(64 * 16), std::vector<float>(16 * kN), kN};
    for (float& x : o.a) x = kernels::roundToHalf(normal(rng));
    for (float& x : o.b) x = kernels::roundToHalf(normal(rng));
    std::vector<float> d(128 * kN / 2, 0.0f), c(128 * kN / 2);
    for (float& x : c) x = normal(rng);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(128), 2 * kPanelBytes}, [&] {
      unsigned char* smem = emu::dynamicShared();
      const int t = static_cast<int>(threadIdx.x), warp = t / 32, g = (t % 32) / 4, q = t % 4;
      if (t == 0)
        for (int k = 0; k < 16; ++k)
          for (int x = 0; x < kN; ++x) {  // MN-major B: row k holds B(k, .) along N, 64 columns per panel
            const uint16_t bits = emu::halfBits(o.b[static_cast<size_t>(k * kN + x)]);
            std::memcpy(smem + (x / 64) * kPanelBytes + swizzledByte(static_cast<size_t>(k), static_cast<size_t>(x % 64)), &bits, 2);
          }
      __syncthreads();
      // mma.sync's A layout for the warp's rows: a0 (g, 2q..), a1 (g + 8, 2q..), a2 (g, 2q + 8..), a3 (g + 8, 2q + 8..).
      uint32_t a[4];
      for (int r = 0; r < 4; ++r) {
        const int row = 16 * warp + g + 8 * (r % 2), col = 2 * q + 8 * (r / 2);
        a[r] = emu::halfBits(o.a[static_cast<size_t>(row * 16 + col)]) |
               (static_cast<uint32_t>(emu::halfBits(o.a[static_cast<size_t>(row * 16 + col + 1)])) << 16);
      }
      float acc[kN / 8][4];
      for (int i = 0; i < kN / 2; ++i) acc[i / 4][i % 4] = c[static_cast<size_t>(t * kN / 2 + i)];
      dev::wgmmaRegisterA<kN, false>(acc, a, dev::wgmmaDescriptor(0, kPanelBytes, 1024), true);
      dev::wgmmaCommit();
      dev::wgmmaWait<0>();
      for (int i = 0; i < kN / 2; ++i) d[static_cast<size_t>(t * kN / 2 + i)] = acc[i / 4][i % 4];
    });
    const QString bad = firstMismatch(d, kN, [&](int t, int i, int row, int col) { return c[static_cast<size_t>(t * kN / 2 + i)] + want(o, 16, 0, row, col); });
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
  }

  // wait_group N leaves the N most recent groups pending; a tile overwritten
  // before the wait is what the product reads; exiting with work pending fails.
  void waitRetiresOnlyOlderGroups() {
    std::vector<float> seen(4);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(128), 16384}, [&] {
      uint16_t* s = reinterpret_cast<uint16_t*>(emu::dynamicShared());
      if (threadIdx.x == 0) {
        std::memset(s, 0, 16384);
        for (int k = 0; k < 8; ++k) s[k] = emu::bf16Bits(1.0f);  // A(0, 0..7) = 1 (row 0, chunk 0)
        s[4096] = emu::bf16Bits(2.0f);                            // B(k = 0, x = 0) = 2 (K-major B after A's 8 KiB)
      }
      __syncthreads();
      float first[8][4] = {}, second[8][4] = {};
      const uint64_t descA = dev::wgmmaDescriptor(0, 16, 1024), descB = dev::wgmmaDescriptor(8192, 16, 1024);
      dev::wgmmaSharedA<64, true>(first, descA, descB, false);
      dev::wgmmaCommit();
      dev::wgmmaSharedA<64, true>(second, descA, descB, false);
      dev::wgmmaCommit();
      __syncthreads();
      if (threadIdx.x == 0) s[4096] = emu::bf16Bits(3.0f);  // changed before either is retired
      __syncthreads();
      dev::wgmmaWait<1>();
      if (threadIdx.x == 0) {
        seen[0] = first[0][0];
        seen[1] = second[0][0];
      }
      dev::wgmmaWait<0>();
      if (threadIdx.x == 0) seen[2] = second[0][0];
    });
    QCOMPARE(seen[0], 3.0f);  // D(0, 0) = A(0, 0) B(0, 0), read at the wait
    QCOMPARE(seen[1], 0.0f);  // still pending after wait_group 1
    QCOMPARE(seen[2], 3.0f);
    bool threw = false;
    try {
      emu::launch(emu::LaunchConfig{dim3(1), dim3(128), 16384}, [&] {
        float acc[8][4] = {};
        dev::wgmmaSharedA<64, true>(acc, dev::wgmmaDescriptor(0, 16, 1024), dev::wgmmaDescriptor(8192, 16, 1024), false);
        dev::wgmmaCommit();
      });
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()).find("never retired") != std::string::npos;
    }
    QVERIFY(threw);
    // Writing accumulators of an operation in flight (a rescale before the wait) is an error.
    threw = false;
    try {
      emu::launch(emu::LaunchConfig{dim3(1), dim3(128), 16384}, [&] {
        float acc[8][4] = {};
        dev::wgmmaSharedA<64, true>(acc, dev::wgmmaDescriptor(0, 16, 1024), dev::wgmmaDescriptor(8192, 16, 1024), false);
        dev::wgmmaCommit();
        acc[0][0] *= 0.5f;
        acc[0][1] = 1.0f;
        dev::wgmmaWait<0>();
      });
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()).find("still in flight") != std::string::npos;
    }
    QVERIFY(threw);
  }

  void tmaBoxLandsSwizzledAtTheWait() {
    // A [2 heads][10 rows][64 columns] tensor; the box of 8 rows from row 4 of head 1 runs 2 rows past the end.
    std::vector<uint16_t> tensor(2 * 10 * 64);
    for (size_t i = 0; i < tensor.size(); ++i) tensor[i] = static_cast<uint16_t>(i + 1);
    emu::TensorMap map;
    map.base = tensor.data();
    map.dims[0] = 64;
    map.dims[1] = 10;
    map.dims[2] = 2;
    map.strides[0] = 64 * 2;
    map.strides[1] = 10 * 64 * 2;
    map.box[0] = 64;
    map.box[1] = 8;
    std::vector<uint16_t> before(8 * 64), after(8 * 64);
    emu::launch(emu::LaunchConfig{dim3(1), dim3(128), 2048}, [&] {
      unsigned char* smem = emu::dynamicShared();
      auto* bar = reinterpret_cast<uint64_t*>(smem + 1024);
      if (threadIdx.x == 0) {
        std::memset(smem, 0, 1024);
        dev::mbarrierInit(bar, 1);
      }
      __syncthreads();
      if (threadIdx.x == 0) {
        dev::mbarrierArriveExpectTx(bar, 8 * 64 * 2);
        dev::tmaLoad3d(smem, &map, 0, 4, 1, bar);
        std::memcpy(before.data(), smem, 1024);
      }
      dev::mbarrierWait(bar, 0);
      if (threadIdx.x == 0) std::memcpy(after.data(), smem, 1024);
    });
    for (uint16_t v : before) QCOMPARE(v, uint16_t{0});  // nothing lands before the wait
    for (size_t r = 0; r < 8; ++r)
      for (size_t c = 0; c < 64; ++c) {
        const size_t row = 4 + r;
        const uint16_t want = row < 10 ? tensor[(10 + row) * 64 + c] : uint16_t{0};
        QCOMPARE(after[swizzledByte(r, c) / 2], want);
      }
  }
};

QTEST_APPLESS_MAIN(TestWgmmaEmulated)
#include "test_wgmma_emulated.moc"
