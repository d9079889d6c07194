// local_block against its definition (DESIGN §3): i attends j iff
// floor(i/w) == floor(j/w), causal additionally j <= i; short last block.
#include <QtTest>

#include "sparse_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {
MaskFn blockMask(int64_t w, bool causal) {
  return [=](int64_t i, int64_t j) { return i / w == j / w && (!causal || j <= i); };
}
}  // namespace

class TestLocalBlock : public QObject {
  Q_OBJECT

 private slots:
  void matchesNaive_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("block");
    QTest::addColumn<bool>("causal");
    // Blocks below 16 (several per tile, bit masks), 16..128 (tile = block),
    // above 128 with and without a divisor in [32, 128], and block >= n.
    for (int n : {1, 5, 64, 333, 700})
      for (int block : {1, 3, 7, 16, 64, 100, 256, 257, 1000})
        for (bool causal : {false, true}) {
          if (n < 64 && block > 16 && block != 1000) continue;
          QTest::addRow("n%d_b%d_%s", n, block, causal ? "causal" : "full") << n << block << causal;
        }
  }
  void matchesNaive() {
    QFETCH(int, n);
    QFETCH(int, block);
    QFETCH(bool, causal);
    const AttentionSpec spec = specWith("local_block", {"block=" + std::to_string(block)}, causal);
    for (int head = 0; head < 2; ++head) {
      const HeadData data(n, 16, 300 + 11 * head);
      const RunOutput r = runHead(spec, data, head);
      QString why;
      QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, blockMask(block, causal)), &why), qPrintable(why));
      const Shape shape{n, 16, 16, 1, causal, 1};
      QCOMPARE(VariantRegistry::instance().get("local_block").cost(spec, shape).pairs, scalar(r.extras, "pairs_computed"));
    }
  }

  void exactMap() {
    for (bool causal : {false, true})
      for (int block : {5, 40, 300}) {
        const int n = 190;
        const HeadData data(n, 8, 17);
        const AttentionSpec spec = specWith("local_block", {"block=" + std::to_string(block)}, causal);
        QString why;
        QVERIFY2(mapMatches(exactMapOf(spec, data), naiveAttentionMatrix(data.q, data.k, blockMask(block, causal)), &why), qPrintable(why));
      }
  }

  void workFollowsTheBlocks() {
    // n = 8192, block 64: one 64x64 tile per query block, nothing else.
    const HeadData data(8192, 16, 2);
    const RunOutput r = runHead(specWith("local_block", {"block=64"}), data);
    QCOMPARE(scalar(r.extras, "tiles_visited"), 128.0);
    QCOMPARE(scalar(r.extras, "pairs_computed"), 128.0 * 64 * 64);
    // A huge block does not mean a huge tile: block 5000 on n = 6000 keeps 64-ish tiles.
    const HeadData big(6000, 8, 3);
    const RunOutput rb = runHead(specWith("local_block", {"block=5000"}), big);
    QVERIFY(scalar(rb.extras, "tile_edge") <= 128);
  }

  void rejectsBlockZero() {
    AttentionSpec spec = makeSpec("local_block");
    try {
      spec.params.assign("block=0");
      QFAIL("block=0 was accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("block"));
    }
  }
};

QTEST_APPLESS_MAIN(TestLocalBlock)
#include "test_local_block.moc"
