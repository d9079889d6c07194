// The span table sorts by duration and shows each span's share of the run,
// with totals per phase.
#include <QTableView>
#include <QTranslator>
#include <QtTest>

#include "span_table.hpp"

using namespace attnscope;

namespace {

Span span(const std::string& name, int64_t start, int64_t duration, int track = 0, double flops = 0) {
  Span s;
  s.name = name;
  s.category = name == "load input" ? SpanCategory::Host : SpanCategory::Kernel;
  s.device = "cpu";
  s.track = track;
  s.startNs = start;
  s.durationNs = duration;
  s.flops = flops;
  s.bytes = 1000;
  return s;
}

// Run of 2 ms: load 100 us, then repeats of 300 us and 1.6 ms.
Trace knownTrace() {
  Trace t;
  t.spans = {span("load input", 0, 100000), span("repeat", 100000, 300000, 0, 3e5), span("repeat", 400000, 1600000, 0, 1.6e6),
             span("tile", 0, 123, kPhaseTotalsTrackBase)};
  t.trackNames[0] = "main";
  t.peakBytes = 2000000;
  return t;
}

}  // namespace

class TestSpanTable : public QObject {
  Q_OBJECT

 private slots:
  void runDurationLeavesOutPhaseTotals() { QCOMPARE(runDurationNs(knownTrace()), int64_t(2000000)); }

  void runDurationSkipsGapsAndOverlaps() {
    Trace t = knownTrace();
    t.spans.push_back(span("kernel", 500000, 100000, 1));      // inside a repeat: no extra time
    t.spans.push_back(span("later", 10000000, 1000000, 0));    // after a 8 ms gap: 1 ms more
    QCOMPARE(runDurationNs(t), int64_t(3000000));
  }

  void sortsByDuration() {
    SpanTable table;
    table.setTrace(knownTrace());
    QCOMPARE(table.rowCount(), 4);
    table.sortBy(SpanTable::Duration, Qt::DescendingOrder);
    QCOMPARE(table.cellText(0, SpanTable::Duration), QString("1.600 ms"));
    QCOMPARE(table.cellText(1, SpanTable::Duration), QString("300.0 µs"));
    QCOMPARE(table.cellText(2, SpanTable::Name), QString("load input"));
    QCOMPARE(table.cellText(3, SpanTable::Name), QString("tile"));
    table.sortBy(SpanTable::Duration, Qt::AscendingOrder);
    QCOMPARE(table.cellText(0, SpanTable::Name), QString("tile"));
    // Sorting is numeric, not by the text ("1.600 ms" would sort before "100.0 µs").
    QCOMPARE(table.cellText(1, SpanTable::Duration), QString("100.0 µs"));
    QCOMPARE(table.cellText(3, SpanTable::Duration), QString("1.600 ms"));
  }

  // Host spans and threads read in the window's language; kernel phases keep their names.
  void namesInChinese() {
    QTranslator zh;
    QVERIFY(zh.load(":/attnscope/translations/attnscope_zh_CN.qm"));
    QCoreApplication::installTranslator(&zh);
    Trace t = knownTrace();
    t.spans[1].name = "repeat 1";
    t.trackNames[0] = "host (runs and heads)";
    SpanTable table;
    table.setTrace(t);
    QStringList names, threads;
    for (int r = 0; r < table.rowCount(); ++r) names << table.cellText(r, SpanTable::Name), threads << table.cellText(r, SpanTable::Thread);
    QCoreApplication::removeTranslator(&zh);
    QVERIFY2(names.contains("载入输入") && names.contains("第 1 次重复") && names.contains("tile"), qPrintable(names.join(", ")));
    QVERIFY2(threads.contains("主机（运行与各头）"), qPrintable(threads.join(", ")));
  }

  void showsSharesAndRates() {
    SpanTable table;
    table.setTrace(knownTrace());
    table.sortBy(SpanTable::Duration, Qt::DescendingOrder);
    QCOMPARE(table.cellText(0, SpanTable::Share), QString("80.0 %"));
    QCOMPARE(table.cellText(1, SpanTable::Share), QString("15.0 %"));
    QCOMPARE(table.cellText(2, SpanTable::Share), QString("5.0 %"));
    QCOMPARE(table.cellText(0, SpanTable::FlopRate), QString("1.00 GFLOP/s"));
    QCOMPARE(table.cellText(0, SpanTable::Thread), QString("main"));
    QCOMPARE(table.cellText(0, SpanTable::Device), QString("cpu"));
    QCOMPARE(table.cellText(0, SpanTable::Bytes), QString("1.0 kB"));
    // Clicking a header sorts too.
    table.spansView()->sortByColumn(SpanTable::Share, Qt::AscendingOrder);
    QCOMPARE(table.cellText(3, SpanTable::Share), QString("80.0 %"));
  }

  void totalsPerPhase() {
    SpanTable table;
    table.setTrace(knownTrace());
    QCOMPARE(table.phaseCount(), 3);
    // Longest total first: both repeats together are 95 % of the run.
    QCOMPARE(table.phaseText(0, 0), QString("repeat"));
    QCOMPARE(table.phaseText(0, 2), QString("2"));
    QCOMPARE(table.phaseText(0, 3), QString("1.900 ms"));
    QCOMPARE(table.phaseText(0, 4), QString("95.0 %"));
    const std::vector<PhaseTotal> totals = phaseTotals(knownTrace());
    QCOMPARE(totals.front().totalNs, int64_t(1900000));
  }

  void emptyTrace() {
    SpanTable table;
    table.setTrace(Trace{});
    QCOMPARE(table.rowCount(), 0);
    table.clear();
    QCOMPARE(table.phaseCount(), 0);
  }
};

QTEST_MAIN(TestSpanTable)
#include "test_span_table.moc"
