// topk_dynamic on the GPU path (kernels/topk_flash.hpp, topk_select_kernel.cuh):
// the placeholder layout has the CPU layout's shape, and the block means and
// block choice kernels' own source, under the CPU emulation, choose exactly
// the key blocks the CPU's layout lists, head by head; the emulated forward
// over those blocks then matches the CPU backend.
#include <QtTest>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "emu_compare.hpp"
#include "emu_flash_runner.hpp"
#include "flash_cases.hpp"
#include "flash_layout_host.hpp"
#include "topk_flash.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

AttentionSpec topkSpec(int64_t block, int64_t topk, int64_t local, bool causal) {
  AttentionSpec spec = makeSpec("topk_dynamic");
  spec.params.set("block", std::to_string(block));
  spec.params.set("topk", std::to_string(topk));
  spec.params.set("local_blocks", std::to_string(local));
  spec.causal = causal;
  return spec;
}

std::vector<float> pack(const std::vector<Mat>& heads) {
  std::vector<float> out;
  for (const Mat& m : heads) out.insert(out.end(), m.data(), m.data() + m.size());
  return out;
}

// Per head, the layout the device path builds: the placeholder CSR with the
// columns the emulated kernels chose.
std::vector<BlockLayout> deviceLayouts(const AttentionSpec& spec, const Qkv& qkv, uint64_t seed) {
  const TopkPlan plan = topkPlanFor(spec, qkv.n());
  const BlockLayout placeholder = topkPlaceholderLayout(plan);
  const int heads = qkv.heads();
  const std::vector<const BlockLayout*> perHead(static_cast<size_t>(heads), &placeholder);
  FlashLayoutArrays arrays = buildFlashLayout(perHead);
  const int64_t d = qkv.d();
  const std::vector<float> q = pack(qkv.q), k = pack(qkv.k);
  std::vector<float> means(static_cast<size_t>(2 * heads * plan.blocks * d), -1.0f);
  const int64_t per = heads * plan.blocks * d;
  runEmulatedBlockMeans(topkMeansParams(plan, heads, d, q.data(), means.data()), emu::Order::Shuffled, seed);
  runEmulatedBlockMeans(topkMeansParams(plan, heads, d, k.data(), means.data() + per), emu::Order::Shuffled, seed);
  const TopkSelectParams p = topkSelectParams(plan, heads, d, means.data(), means.data() + per, arrays.rowStart.data(), arrays.colBlock.data());
  runEmulatedTopkSelect(p, emu::Order::Shuffled, seed + 1);
  std::vector<BlockLayout> out;
  for (int h = 0; h < heads; ++h) {
    BlockLayout l;
    l.n = l.nKeys = qkv.n();
    l.block = plan.block;
    l.causal = plan.causal;
    const int64_t base = h * (plan.blocks + 1);
    for (int64_t qb = 0; qb < plan.blocks; ++qb) {
      for (int64_t e = arrays.rowStart[static_cast<size_t>(base + qb)]; e < arrays.rowStart[static_cast<size_t>(base + qb + 1)]; ++e)
        l.addTile(arrays.colBlock[static_cast<size_t>(e)], TileMask::Full);
      l.endRow();
    }
    l.finish();  // rejects repeats: a missed choice would leave a placeholder twice
    out.push_back(std::move(l));
  }
  return out;
}

std::string rowsOf(const BlockLayout& l, int64_t qb) {
  std::string s;
  for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) s += std::to_string(l.tileCol(e)) + " ";
  return s;
}

}  // namespace

class TestFlashTopkDynamic : public QObject {
  Q_OBJECT

 private slots:
  void choiceMatchesCpuLayout_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("topk");
    QTest::addColumn<int>("local");
    QTest::addColumn<bool>("causal");
    for (bool causal : {false, true}) {
      const char* c = causal ? "_causal" : "";
      QTest::addRow("n200_b16_k3_l1%s", c) << 200 << 16 << 3 << 1 << causal;
      QTest::addRow("n300_b1_k5_l2%s_more_blocks_than_threads", c) << 300 << 1 << 5 << 2 << causal;
      QTest::addRow("n100_b8_k0_l3%s_local_only", c) << 100 << 8 << 0 << 3 << causal;
      QTest::addRow("n90_b10_k4_l0%s_chosen_only", c) << 90 << 10 << 4 << 0 << causal;
      QTest::addRow("n70_b8_k50_l1%s_topk_past_candidates", c) << 70 << 8 << 50 << 1 << causal;
    }
  }
  void choiceMatchesCpuLayout() {
    QFETCH(int, n);
    QFETCH(int, block);
    QFETCH(int, topk);
    QFETCH(int, local);
    QFETCH(bool, causal);
    const AttentionSpec spec = topkSpec(block, topk, local, causal);
    Qkv qkv;
    for (int h = 0; h < 2; ++h) {
      qkv.q.push_back(randomMatrix(n, 16, 900 + 10 * h, 1.0));
      qkv.k.push_back(randomMatrix(n, 16, 901 + 10 * h, 1.0));
      qkv.v.push_back(randomMatrix(n, 16, 902 + 10 * h));
    }
    const std::vector<BlockLayout> got = deviceLayouts(spec, qkv, 3);
    for (int h = 0; h < 2; ++h) {
      const size_t hs = static_cast<size_t>(h);
      const HeadInput in{qkv.q[hs], qkv.k[hs], qkv.v[hs], nullptr, h};
      const BlockLayout want = layoutForHead(spec, in);
      QCOMPARE(got[hs].rowBlocks(), want.rowBlocks());
      for (int64_t qb = 0; qb < want.rowBlocks(); ++qb)
        QVERIFY2(rowsOf(got[hs], qb) == rowsOf(want, qb),
                 qPrintable(QString("head %1, query block %2: device %3, cpu %4").arg(h).arg(qb).arg(rowsOf(got[hs], qb).c_str()).arg(rowsOf(want, qb).c_str())));
    }
  }

  void refusesMoreBlocksThanSharedMemoryHolds() {
    const std::string why = topkGpuSupports(topkPlanFor(topkSpec(1, 4, 1, false), 100000), int64_t{160} << 10);
    QVERIFY2(why.find("a block of at least") != std::string::npos, why.c_str());
    QVERIFY(topkGpuSupports(topkPlanFor(topkSpec(64, 4, 1, false), 1 << 20), int64_t{160} << 10).empty());
  }

  void emulatedForwardMatchesCpu_data() {
    QTest::addColumn<bool>("causal");
    QTest::addColumn<int>("element");
    for (bool causal : {false, true})
      for (int e = 0; e < 3; ++e) QTest::addRow("%s%s", causal ? "causal_" : "", elementName(static_cast<FlashElement>(e))) << causal << e;
  }
  void emulatedForwardMatchesCpu() {
    QFETCH(bool, causal);
    QFETCH(int, element);
    const FlashElement e = static_cast<FlashElement>(element);
    const AttentionSpec spec = topkSpec(32, 2, 1, causal);
    Qkv qkv;
    qkv.q.push_back(randomMatrix(230, 64, 41, 0.8));
    qkv.k.push_back(randomMatrix(230, 64, 42, 0.8));
    qkv.v.push_back(randomMatrix(230, 64, 43));
    const std::vector<BlockLayout> layouts = deviceLayouts(spec, qkv, 9);
    const std::string wrong = emulatedAgainstCpu(spec, qkv, qkv, layouts[0], e, 13);
    QVERIFY2(wrong.empty(), wrong.c_str());
  }
};

QTEST_APPLESS_MAIN(TestFlashTopkDynamic)
#include "test_flash_topk_dynamic.moc"
