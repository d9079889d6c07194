// hierarchical on the flash kernel (kernels/hierarchical_flash.hpp): its
// layout over the keys extended with block summaries admits exactly the
// pairs the variant defines, the block means kernel fills the summary rows
// as the host reference does, and the kernels' own source, run under the CPU
// emulation, match the CPU backend's hierarchical.
#include <QtTest>

#include <cmath>

#include "backend/backend.hpp"
#include "emu_compare.hpp"
#include "emu_flash_runner.hpp"
#include "flash_cases.hpp"
#include "hierarchical_flash.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

AttentionSpec hierarchicalSpec(int64_t block, bool causal) {
  AttentionSpec spec = makeSpec("hierarchical");
  spec.params.set("block", std::to_string(block));
  spec.causal = causal;
  return spec;
}

// The variant's definition over extended key index j, written out plainly.
bool definedPair(const HierarchicalKeys& k, bool causal, int64_t i, int64_t j) {
  const int64_t own = i / k.b;
  if (j < k.n) return j / k.b == own && (!causal || j <= i);
  if (j < k.summaryStart()) return false;  // padding after a short last block
  const int64_t c = j - k.summaryStart();
  return c != own && (!causal || c < own);
}

Qkv randomQkv(int64_t n, int64_t d, int heads) { return testing::randomQkv(n, d, d, heads, 300); }

// The extended K and V with the summary rows written by the emulated block means kernel.
Qkv deviceSummaries(const Qkv& qkv, const HierarchicalKeys& k) {
  Qkv ext = withSummaryRows(qkv, k);
  const auto fill = [&](std::vector<Mat>& heads) {
    const int64_t width = heads.front().cols(), per = k.keys() * width;
    std::vector<float> packed;
    for (const Mat& m : heads) packed.insert(packed.end(), m.data(), m.data() + per);
    runEmulatedBlockMeans(hierarchicalMeansParams(k, static_cast<int>(heads.size()), width, packed.data()), emu::Order::Shuffled, 5);
    for (size_t h = 0; h < heads.size(); ++h) std::copy_n(packed.data() + h * static_cast<size_t>(per), per, heads[h].data());
  };
  fill(ext.k);
  fill(ext.v);
  return ext;
}

}  // namespace

class TestFlashHierarchical : public QObject {
  Q_OBJECT

 private slots:
  void layoutAdmitsExactlyTheDefinedPairs_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("block");
    QTest::addColumn<bool>("causal");
    for (bool causal : {false, true}) {
      const char* c = causal ? "_causal" : "";
      QTest::addRow("n64_b8%s", c) << 64 << 8 << causal;
      QTest::addRow("n37_b8_short_last%s", c) << 37 << 8 << causal;
      QTest::addRow("n300_b5_many_summary_tiles%s", c) << 300 << 5 << causal;
      QTest::addRow("n10_b1%s", c) << 10 << 1 << causal;
      QTest::addRow("n5_b64_one_block%s", c) << 5 << 64 << causal;
    }
  }
  void layoutAdmitsExactlyTheDefinedPairs() {
    QFETCH(int, n);
    QFETCH(int, block);
    QFETCH(bool, causal);
    const HierarchicalKeys k = hierarchicalKeys(hierarchicalSpec(block, causal), n);
    const BlockLayout l = hierarchicalFlashLayout(k, causal);
    QCOMPARE(l.nKeys, k.keys());
    QVERIFY(l.storageBytes() <= hierarchicalLayoutBytesBound(k));
    const std::vector<uint8_t> mask = pairMask(l);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k.keys(); ++j)
        QVERIFY2((mask[static_cast<size_t>(i * k.keys() + j)] != 0) == definedPair(k, causal, i, j), qPrintable(QString("pair (%1, %2)").arg(i).arg(j)));
  }

  void summariesAreBlockMeans() {
    const Qkv qkv = randomQkv(37, 32, 2);
    const HierarchicalKeys k = hierarchicalKeys(hierarchicalSpec(8, false), 37);
    const Qkv ext = withBlockSummaries(qkv, k);
    QCOMPARE(ext.k[1].rows(), k.keys());
    QCOMPARE(ext.q[1], qkv.q[1]);
    QCOMPARE(ext.k[1].topRows(37), qkv.k[1]);
    QVERIFY(ext.v[1].middleRows(37, k.summaryStart() - 37).isZero());
    const int64_t last = k.blocks - 1;  // rows 32..36: five tokens
    const Eigen::RowVectorXf want = qkv.v[1].middleRows(32, 5).colwise().sum() / 5.0f;
    QVERIFY((ext.v[1].row(k.summaryStart() + last) - want).cwiseAbs().maxCoeff() < 1e-6f);
  }

  // K and V of different widths, a short last block, two heads.
  void deviceMeansMatchHostSummaries() {
    Qkv qkv = randomQkv(37, 64, 2);
    for (Mat& v : qkv.v) v = Mat(v.leftCols(32));
    const HierarchicalKeys k = hierarchicalKeys(hierarchicalSpec(8, false), 37);
    const Qkv host = withBlockSummaries(qkv, k), device = deviceSummaries(qkv, k);
    for (size_t h = 0; h < 2; ++h) {
      QVERIFY((host.k[h] - device.k[h]).cwiseAbs().maxCoeff() < 1e-6f);
      QVERIFY((host.v[h] - device.v[h]).cwiseAbs().maxCoeff() < 1e-6f);
      QVERIFY(device.k[h].row(k.summaryStart() + k.blocks - 1).cwiseAbs().maxCoeff() > 0.0f);  // the short block's mean was written
    }
  }

  void refusesLayoutsTooLargeToBuild() {
    const HierarchicalKeys k = hierarchicalKeys(hierarchicalSpec(1, false), 65536);
    const std::string why = hierarchicalFlashSupports(k, false, int64_t{256} << 20);
    QVERIFY2(why.find("block 1") != std::string::npos && why.find("MiB") != std::string::npos, why.c_str());
    QVERIFY(hierarchicalFlashSupports(hierarchicalKeys(hierarchicalSpec(256, false), 65536), false, int64_t{256} << 20).empty());
  }

  void emulatedKernelMatchesCpu_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("block");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<int>("element");
    struct Shape {
      int n, d, heads, block;
      bool causal;
    };
    // Short last blocks, summaries spread over several tiles, a block wider
    // than the kernel's query tile, causal, every head width.
    const std::vector<Shape> shapes = {{130, 64, 2, 16, false}, {130, 64, 1, 16, true}, {37, 32, 1, 8, true}, {150, 128, 1, 100, false}, {200, 32, 2, 6, false}};
    for (const Shape& s : shapes)
      for (int e = 0; e < 3; ++e)
        QTest::addRow("n%d_d%d_h%d_b%d%s_%s", s.n, s.d, s.heads, s.block, s.causal ? "_causal" : "", elementName(static_cast<FlashElement>(e)))
            << s.n << s.d << s.heads << s.block << s.causal << e;
  }
  void emulatedKernelMatchesCpu() {
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(int, heads);
    QFETCH(int, block);
    QFETCH(bool, causal);
    QFETCH(int, element);
    const FlashElement e = static_cast<FlashElement>(element);
    const AttentionSpec spec = hierarchicalSpec(block, causal);
    const Qkv qkv = randomQkv(n, d, heads);
    const HierarchicalKeys k = hierarchicalKeys(spec, n);
    const BlockLayout layout = hierarchicalFlashLayout(k, causal);
    const Qkv ext = deviceSummaries(qkv, k);  // as the GPU path: means on the device, then the forward
    EmulatedOutput got;
    const std::string wrong = emulatedAgainstCpu(spec, qkv, ext, layout, e, 99, 0.0f, &got);
    QVERIFY2(wrong.empty(), wrong.c_str());
    for (const std::vector<float>& lse : got.lse)
      for (int64_t i = 0; i < n; ++i) QVERIFY(std::isfinite(lse[static_cast<size_t>(i)]));  // every token sees at least itself
  }
};

QTEST_APPLESS_MAIN(TestFlashHierarchical)
#include "test_flash_hierarchical.moc"
