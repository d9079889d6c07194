// topk_dynamic against its definition (DESIGN §3): each query block keeps its
// local blocks plus the topk other key blocks with the highest block-mean Q .
// block-mean K, then attends exactly inside them. The choice is recomputed
// here in double precision, independently of the variant.
#include <QtTest>

#include <algorithm>
#include <set>

#include "sparse_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

std::vector<std::set<int64_t>> chosenBlocks(const HeadData& data, int64_t b, int64_t topk, int64_t localBlocks, bool causal) {
  const int64_t n = data.q.rows(), blocks = (n + b - 1) / b;
  auto means = [&](const Mat& m) {
    MatD out = MatD::Zero(blocks, m.cols());
    for (int64_t i = 0; i < n; ++i) out.row(i / b) += m.row(i).cast<double>();
    for (int64_t blk = 0; blk < blocks; ++blk) out.row(blk) /= static_cast<double>(std::min(b, n - blk * b));
    return out;
  };
  const MatD qm = means(data.q), km = means(data.k);
  const int64_t left = localBlocks > 0 ? (localBlocks - 1) / 2 : 0, right = localBlocks > 0 ? localBlocks / 2 : -1;
  std::vector<std::set<int64_t>> rows(static_cast<size_t>(blocks));
  for (int64_t qb = 0; qb < blocks; ++qb) {
    const int64_t lastKey = causal ? qb : blocks - 1;
    std::set<int64_t>& row = rows[static_cast<size_t>(qb)];
    std::vector<std::pair<double, int64_t>> candidates;
    for (int64_t kb = 0; kb <= lastKey; ++kb) {
      if (kb >= qb - left && kb <= qb + right) row.insert(kb);
      else candidates.push_back({-qm.row(qb).dot(km.row(kb)), kb});  // ascending = best first, ties to the lower block
    }
    std::sort(candidates.begin(), candidates.end());
    for (int64_t t = 0; t < std::min<int64_t>(topk, static_cast<int64_t>(candidates.size())); ++t) row.insert(candidates[static_cast<size_t>(t)].second);
  }
  return rows;
}

AttentionSpec topkSpec(int64_t block, int64_t topk, int64_t local, bool causal) {
  return specWith("topk_dynamic", {"block=" + std::to_string(block), "topk=" + std::to_string(topk), "local_blocks=" + std::to_string(local)}, causal);
}

}  // namespace

class TestTopkDynamic : public QObject {
  Q_OBJECT

 private slots:
  void matchesNaive_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("topk");
    QTest::addColumn<int>("local");
    const int cases[][4] = {{1, 4, 2, 1},     {5, 2, 1, 1},   {5, 8, 3, 0},    {64, 8, 2, 1},   {64, 8, 0, 3},    {333, 16, 3, 1},
                            {333, 16, 2, 3},  {333, 7, 5, 2}, {333, 32, 0, 1}, {333, 16, 4, 0}, {333, 64, 99, 1}, {700, 32, 4, 3}};
    for (const auto& c : cases) QTest::addRow("n%d_b%d_k%d_l%d", c[0], c[1], c[2], c[3]) << c[0] << c[1] << c[2] << c[3];
  }
  void matchesNaive() {
    QFETCH(int, n);
    QFETCH(int, block);
    QFETCH(int, topk);
    QFETCH(int, local);
    for (bool causal : {false, true})
      for (int head = 0; head < 2; ++head) {
        const HeadData data(n, 16, 900 + 5 * head);
        const AttentionSpec spec = topkSpec(block, topk, local, causal);
        const auto rows = chosenBlocks(data, block, topk, local, causal);
        // The layout lists exactly the blocks of the definition.
        const HeadInput in = data.input(head);
        const BlockLayout l = *VariantRegistry::instance().get("topk_dynamic").layout(spec, Shape{n, 16, 16, 1, causal, 1}, &in);
        for (int64_t qb = 0; qb < l.rowBlocks(); ++qb) {
          std::set<int64_t> got;
          for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) got.insert(l.tileCol(e));
          QVERIFY2(got == rows[static_cast<size_t>(qb)], qPrintable(QString("query block %1 chose other blocks").arg(qb)));
        }
        const MaskFn mask = [&](int64_t i, int64_t j) { return rows[static_cast<size_t>(i / block)].count(j / block) && (!causal || j <= i); };
        const RunOutput r = runHead(spec, data, head);
        QString why;
        QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, mask), &why), qPrintable(why));
      }
  }

  void exactMap() {
    const int n = 170;
    const HeadData data(n, 8, 77);
    for (bool causal : {false, true}) {
      const auto rows = chosenBlocks(data, 10, 3, 1, causal);
      const MaskFn mask = [&](int64_t i, int64_t j) { return rows[static_cast<size_t>(i / 10)].count(j / 10) && (!causal || j <= i); };
      QString why;
      QVERIFY2(mapMatches(exactMapOf(topkSpec(10, 3, 1, causal), data), naiveAttentionMatrix(data.q, data.k, mask), &why), qPrintable(why));
    }
  }

  void choiceFollowsTheInput() {
    // A key block that copies a query block's direction must be chosen for it.
    const int n = 256, b = 16;
    HeadData data(n, 16, 12);
    for (int64_t i = 192; i < 208; ++i) data.k.row(i) = data.q.middleRows(16, 16).colwise().mean() * 5.0f;  // key block 12 ~ query block 1
    const auto rows = chosenBlocks(data, b, 1, 1, false);
    QVERIFY(rows[1].count(12));
    const HeadInput in = data.input();
    const BlockLayout l = *VariantRegistry::instance().get("topk_dynamic").layout(topkSpec(b, 1, 1, false), Shape{n, 16, 16, 1, false, 1}, &in);
    bool found = false;
    for (int64_t e = l.rowBegin(1); e < l.rowEnd(1); ++e) found = found || l.tileCol(e) == 12;
    QVERIFY(found);
  }

  void largeTopkIsDense() {
    const HeadData data(200, 16, 4);
    for (bool causal : {false, true}) {
      const RunOutput r = runHead(topkSpec(16, 1000, 1, causal), data);
      QString why;
      QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, causal ? causalMask() : MaskFn{}), &why), qPrintable(why));
    }
  }

  void rejectsNothingToAttend() {
    const HeadData data(40, 8, 1);
    try {
      runHead(topkSpec(8, 0, 0, false), data);
      QFAIL("topk = local_blocks = 0 was accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("topk") && QString(e.what()).contains("local_blocks"));
    }
  }
};

QTEST_APPLESS_MAIN(TestTopkDynamic)
#include "test_topk_dynamic.moc"
