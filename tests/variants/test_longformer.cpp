// longformer against its definition (DESIGN §3): i attends j iff |i - j| <= w
// or i in G or j in G (causal: and j <= i); G from globals, global_indices and
// global_pattern. Global rows and columns are dense.
#include <QtTest>

#include <regex>
#include <set>

#include "sparse_test_helpers.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {
MaskFn longformerMask(int64_t w, const std::set<int64_t>& globals, bool causal) {
  return [=](int64_t i, int64_t j) {
    if (causal && j > i) return false;
    return (i - j <= w && j - i <= w) || globals.count(i) || globals.count(j);
  };
}

// Labels "t0", "t1", ... with "[CLS]" at some positions and "." at others.
std::vector<std::string> labelsFor(int64_t n) {
  std::vector<std::string> labels;
  for (int64_t p = 0; p < n; ++p) labels.push_back(p % 97 == 40 ? "[CLS]" : p % 61 == 30 ? "." : "t" + std::to_string(p));
  return labels;
}
}  // namespace

class TestLongformer : public QObject {
  Q_OBJECT

 private slots:
  void matchesNaive_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("globals");
    QTest::addColumn<QString>("indices");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("causal");
    struct Case {
      int n, window, globals;
      const char* indices;
      const char* pattern;
    };
    const Case cases[] = {{1, 0, 0, "", ""},         {1, 3, 1, "", ""},           {5, 1, 1, "", ""},           {5, 0, 0, "4", ""},
                          {64, 8, 2, "", ""},        {64, 0, 0, "13,50", ""},     {333, 16, 1, "", ""},        {333, 32, 3, "100,331", ""},
                          {333, 5, 0, "", "\\[CLS\\]"}, {333, 20, 1, "7", "\\[CLS\\]|\\."}, {333, 400, 0, "", ""},   {500, 64, 0, "", "t1.*"}};
    for (const Case& c : cases)
      for (bool causal : {false, true})
        QTest::addRow("n%d_w%d_g%d_i[%s]_p[%s]_%s", c.n, c.window, c.globals, c.indices, c.pattern, causal ? "causal" : "full")
            << c.n << c.window << c.globals << QString(c.indices) << QString(c.pattern) << causal;
  }
  void matchesNaive() {
    QFETCH(int, n);
    QFETCH(int, window);
    QFETCH(int, globals);
    QFETCH(QString, indices);
    QFETCH(QString, pattern);
    QFETCH(bool, causal);
    std::vector<std::string> assignments = {"window=" + std::to_string(window), "globals=" + std::to_string(globals)};
    if (!indices.isEmpty()) assignments.push_back("global_indices=" + indices.toStdString());
    if (!pattern.isEmpty()) assignments.push_back("global_pattern=" + pattern.toStdString());
    const AttentionSpec spec = specWith("longformer", assignments, causal);

    // G from the definition.
    std::set<int64_t> g;
    for (int64_t p = 0; p < std::min(n, globals); ++p) g.insert(p);
    for (const QString& s : indices.split(',', Qt::SkipEmptyParts)) g.insert(s.toLongLong());
    const std::vector<std::string> labels = labelsFor(n);
    if (!pattern.isEmpty()) {
      const std::regex re(pattern.toStdString());
      for (int64_t p = 0; p < n; ++p)
        if (std::regex_match(labels[static_cast<size_t>(p)], re)) g.insert(p);
    }
    for (int head = 0; head < 2; ++head) {
      HeadData data(n, 16, 500 + 13 * head);
      data.labels = labels;
      const RunOutput r = runHead(spec, data, head);
      QString why;
      QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, longformerMask(window, g, causal)), &why), qPrintable(why));
      if (pattern.isEmpty()) {  // the cost model cannot see labels; without a pattern it is exact
        const Shape shape{n, 16, 16, 1, causal, 1};
        QCOMPARE(VariantRegistry::instance().get("longformer").cost(spec, shape).pairs, scalar(r.extras, "pairs_computed"));
      }
    }
  }

  // Rows of about 2000 keys: the map probe scores a block's rows in groups
  // that stay in cache, so every group's row ranges, global rows and element
  // masks must line up with its own rows (a window as wide as the input is
  // every row full).
  void longRowsMapInRowGroups() {
    const int n = 1999;
    HeadData data(n, 16, 45);
    for (int window : {300, 2000})
      for (bool causal : {false, true}) {
        const std::set<int64_t> g = {0, 1000};
        const AttentionSpec spec = specWith("longformer", {"window=" + std::to_string(window), "globals=1", "global_indices=1000"}, causal);
        const MapGrid grid = exactMapOf(spec, data);
        QString why;
        QVERIFY2(mapMatches(grid, naiveAttentionMatrix(data.q, data.k, longformerMask(window, g, causal)), &why),
                 qPrintable(QString("window %1%2: %3").arg(window).arg(causal ? " causal" : "").arg(why)));
      }
  }

  void globalRowsAndColumnsAreDense() {
    const int n = 211;
    const std::set<int64_t> g = {0, 1, 2, 90, 210};
    HeadData data(n, 16, 44);
    for (bool causal : {false, true}) {
      const AttentionSpec spec = specWith("longformer", {"window=4", "globals=3", "global_indices=90,210"}, causal);
      const MapGrid grid = exactMapOf(spec, data);
      QString why;
      QVERIFY2(mapMatches(grid, naiveAttentionMatrix(data.q, data.k, longformerMask(4, g, causal)), &why), qPrintable(why));
      // Every pair in a global row or column is in the map (j <= i when causal).
      for (int64_t p : g)
        for (int64_t o = 0; o < n; ++o) {
          for (auto [i, j] : {std::pair{p, o}, std::pair{o, p}}) {
            if (causal && j > i) continue;
            QVERIFY2(grid.computed(i, j) == 1.0f && grid.sum(i, j) > 0.0f, qPrintable(QString("pair (%1, %2) missing").arg(i).arg(j)));
          }
        }
      // And nothing outside the definition is computed.
      const MaskFn mask = longformerMask(4, g, causal);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) QCOMPARE(grid.computed(i, j) == 1.0f, mask(i, j));
    }
  }

  void patternWithoutLabelsMatchesNothing() {
    const HeadData data(120, 16, 8);  // no labels
    const RunOutput r = runHead(specWith("longformer", {"window=6", "globals=0", "global_pattern=.*"}), data);
    QString why;
    QVERIFY2(closeToReference(r.out, naiveAttention(data.q, data.k, data.v, longformerMask(6, {}, false)), &why), qPrintable(why));
  }

  void rejectsIndicesOutsideTheSequence() {
    const HeadData data(50, 8, 1);
    const AttentionSpec spec = specWith("longformer", {"global_indices=3,50"});
    try {
      runHead(spec, data);
      QFAIL("index 50 was accepted for n = 50");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("global_indices") && QString(e.what()).contains("50"), e.what());
    }
    try {
      VariantRegistry::instance().get("longformer").validate(spec, Shape{50, 8, 8, 1, false, 1});
      QFAIL("validate accepted index 50 for n = 50");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("global_indices"));
    }
  }

  void rejectsBadPattern() {
    HeadData data(20, 8, 1);
    data.labels = labelsFor(20);
    try {
      runHead(specWith("longformer", {"global_pattern=[unclosed"}), data);
      QFAIL("a malformed regex was accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("global_pattern"));
    }
  }
};

QTEST_APPLESS_MAIN(TestLongformer)
#include "test_longformer.moc"
