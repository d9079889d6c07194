// bigbird against its definition (DESIGN §3): per query block, the sliding
// blocks, the global blocks (which also attend everything) and r random
// blocks drawn with the seed, without repeats. The random blocks are read from
// the layout and checked against the rules; the rest of the mask is rebuilt here.
#include <QtTest>

#include <set>

#include "sparse_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

struct BigBirdCase {
  int64_t n, block, window, globals, random;
  bool causal;
};

std::vector<std::set<int64_t>> keyBlocksOf(const BlockLayout& l) {
  std::vector<std::set<int64_t>> rows(static_cast<size_t>(l.rowBlocks()));
  for (int64_t qb = 0; qb < l.rowBlocks(); ++qb)
    for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) rows[static_cast<size_t>(qb)].insert(l.tileCol(e));
  return rows;
}

BlockLayout layoutOf(const AttentionSpec& spec, const HeadData& data, int head) {
  const HeadInput in = data.input(head);
  return *VariantRegistry::instance().get("bigbird").layout(spec, Shape{data.q.rows(), data.q.cols(), data.v.cols(), 1, spec.causal, 1}, &in);
}

AttentionSpec specOf(const BigBirdCase& c, int seed) {
  return specWith("bigbird",
                  {"block=" + std::to_string(c.block), "window_blocks=" + std::to_string(c.window), "global_blocks=" + std::to_string(c.globals),
                   "random_blocks=" + std::to_string(c.random), "seed=" + std::to_string(seed)},
                  c.causal);
}

// Checks the layout's key blocks against the rules and returns them (by query block).
std::vector<std::set<int64_t>> checkedKeyBlocks(const BigBirdCase& c, const BlockLayout& l, QString* why) {
  const auto rows = keyBlocksOf(l);
  const int64_t blocks = (c.n + c.block - 1) / c.block, g = std::min(c.globals, blocks);
  const int64_t left = (c.window - 1) / 2, right = c.window / 2;
  for (int64_t qb = 0; qb < blocks; ++qb) {
    const int64_t lastKey = c.causal ? qb : blocks - 1;
    const std::set<int64_t>& got = rows[static_cast<size_t>(qb)];
    std::set<int64_t> fixed;
    if (qb < g) {
      for (int64_t kb = 0; kb <= lastKey; ++kb) fixed.insert(kb);
    } else {
      for (int64_t kb = qb - left; kb <= qb + right; ++kb)
        if (kb >= 0 && kb <= lastKey) fixed.insert(kb);
      for (int64_t kb = 0; kb < g && kb <= lastKey; ++kb) fixed.insert(kb);
    }
    int64_t extra = 0;
    for (int64_t kb : fixed)
      if (!got.count(kb)) *why = QString("query block %1 misses required key block %2").arg(qb).arg(kb);
    for (int64_t kb : got) {
      if (kb > lastKey) *why = QString("query block %1 lists key block %2 beyond %3").arg(qb).arg(kb).arg(lastKey);
      if (!fixed.count(kb)) ++extra;
    }
    const int64_t expectedRandom = qb < g ? 0 : std::min<int64_t>(c.random, lastKey + 1 - static_cast<int64_t>(fixed.size()));
    if (extra != expectedRandom) *why = QString("query block %1 has %2 random blocks, expected %3").arg(qb).arg(extra).arg(expectedRandom);
  }
  return rows;
}

}  // namespace

class TestBigBird : public QObject {
  Q_OBJECT

 private slots:
  void matchesNaive_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("globals");
    QTest::addColumn<int>("random");
    const int cases[][5] = {{1, 4, 3, 1, 2},    {5, 2, 3, 0, 1},    {5, 8, 3, 1, 3},    {64, 8, 3, 1, 2},   {64, 16, 1, 0, 0},  {333, 16, 3, 1, 3},
                            {333, 32, 3, 2, 2}, {333, 7, 5, 1, 4},  {333, 16, 4, 0, 2}, {333, 64, 3, 0, 50}, {600, 64, 3, 1, 3}, {333, 1, 3, 2, 5}};
    for (const auto& c : cases)
      QTest::addRow("n%d_b%d_w%d_g%d_r%d", c[0], c[1], c[2], c[3], c[4]) << c[0] << c[1] << c[2] << c[3] << c[4];
  }
  void matchesNaive() {
    QFETCH(int, n);
    QFETCH(int, block);
    QFETCH(int, window);
    QFETCH(int, globals);
    QFETCH(int, random);
    for (bool causal : {false, true}) {
      const BigBirdCase c{n, block, window, globals, random, causal};
      const AttentionSpec spec = specOf(c, 42);
      for (int head = 0; head < 2; ++head) {
        const HeadData data(n, 16, 700 + 3 * head);
        QString why;
        const auto rows = checkedKeyBlocks(c, layoutOf(spec, data, head), &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        const MaskFn mask = [&](int64_t i, int64_t j) { return rows[static_cast<size_t>(i / block)].count(j / block) && (!causal || j <= i); };
        const RunOutput r = runHead(spec, data, head);
        QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, mask), &why), qPrintable(why));
      }
    }
  }

  void reproducibleBySeed() {
    const BigBirdCase c{1000, 16, 3, 1, 3, false};
    const HeadData data(1000, 16, 5);
    const auto a = keyBlocksOf(layoutOf(specOf(c, 7), data, 0));
    QVERIFY(a == keyBlocksOf(layoutOf(specOf(c, 7), data, 0)));
    QVERIFY(a != keyBlocksOf(layoutOf(specOf(c, 8), data, 0)));
    QVERIFY(a != keyBlocksOf(layoutOf(specOf(c, 7), data, 1)));  // each head draws its own
    const RunOutput r1 = runHead(specOf(c, 7), data), r2 = runHead(specOf(c, 7), data), r3 = runHead(specOf(c, 8), data);
    QVERIFY(r1.out == r2.out);
    QVERIFY((r1.out - r3.out).cwiseAbs().maxCoeff() > 1e-4);
  }

  void exactMap() {
    const int n = 150;
    const HeadData data(n, 8, 31);
    for (bool causal : {false, true}) {
      const BigBirdCase c{n, 8, 3, 1, 2, causal};
      const AttentionSpec spec = specOf(c, 3);
      QString why;
      const auto rows = checkedKeyBlocks(c, layoutOf(spec, data, 0), &why);
      QVERIFY2(why.isEmpty(), qPrintable(why));
      const MaskFn mask = [&](int64_t i, int64_t j) { return rows[static_cast<size_t>(i / 8)].count(j / 8) && (!causal || j <= i); };
      QVERIFY2(mapMatches(exactMapOf(spec, data), naiveAttentionMatrix(data.q, data.k, mask), &why), qPrintable(why));
    }
  }

  void costCountsThePairs() {
    for (bool causal : {false, true})
      for (int n : {100, 333, 512}) {
        const BigBirdCase c{n, 16, 3, 1, 2, causal};
        const HeadData data(n, 8, 2);
        const RunOutput r = runHead(specOf(c, 1), data);
        QCOMPARE(VariantRegistry::instance().get("bigbird").cost(specOf(c, 1), Shape{n, 8, 8, 1, causal, 1}).pairs, scalar(r.extras, "pairs_computed"));
      }
  }
};

QTEST_APPLESS_MAIN(TestBigBird)
#include "test_bigbird.moc"
