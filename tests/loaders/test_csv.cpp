// CSV/TSV loader: headers, delimiters, columns, missing values, locale-free
// numbers, features and hostile input (issue 6).
#include <QtTest>
#include <clocale>
#include <cmath>

#include "loader_fixtures.hpp"
#include "sequence/timeseries_features.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestCsv : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  Sequence load(const std::string& name, const std::string& bytes, LoadOptions o = {}) {
    return loadSequenceFile(writeFixture(dir_, name, bytes), o);
  }
  // The loader's features equal the features of these raw values.
  static bool holdsValues(const Sequence& s, const std::vector<double>& values, int width = 16) {
    const Mat want = timeSeriesFeatures(values, width, 1);
    return s.embeddings.rows() == want.rows() && s.embeddings.cols() == want.cols() && (s.embeddings - want).cwiseAbs().maxCoeff() < 1e-5f;
  }

 private slots:
  void headerColumnByNameAndIndex() {
    const std::string csv = "time,temp,humidity\n2024-01-01T00,1.5,30\n2024-01-01T01,2.5,31\n2024-01-01T02,4,29\n";
    const Sequence def = load("h.csv", csv);
    QCOMPARE(def.kind, SequenceKind::TimeSeries);
    QVERIFY(holdsValues(def, {1.5, 2.5, 4}));  // first numeric column
    QCOMPARE(def.labels.front(), std::string("2024-01-01T00"));
    LoadOptions byName;
    byName.csvColumn = "humidity";
    QVERIFY(holdsValues(load("h.csv", csv, byName), {30, 31, 29}));
    LoadOptions byIndex;
    byIndex.csvColumn = "2";
    QVERIFY(holdsValues(load("h.csv", csv, byIndex), {30, 31, 29}));
    byIndex.featureWidth = 5;
    QCOMPARE(load("h.csv", csv, byIndex).embeddings.cols(), Eigen::Index{5});
  }

  void noHeaderAndDelimiters() {
    const Sequence plain = load("n.csv", "1,10\n2,20\n3,30\n");
    QVERIFY(holdsValues(plain, {1, 2, 3}));
    QCOMPARE(plain.labels.front(), std::string("t=0"));
    LoadOptions second;
    second.csvColumn = "1";
    QVERIFY(holdsValues(load("t.tsv", "a\tb\n1.5\t2e3\n-4\t+5\n", second), {2000, 5}));
    QVERIFY(holdsValues(load("s.csv", "x;y\n1;2\n3;4\n", second), {2, 4}));
    LoadOptions pipe = second;
    pipe.csvDelimiter = '|';
    pipe.csvHeader = HeaderMode::Absent;
    pipe.format = FileFormat::Csv;
    QVERIFY(holdsValues(load("p.txt", "1|7\n2|8\n", pipe), {7, 8}));
    QVERIFY(holdsValues(load("q.csv", "\"name\",\"value\"\n\"a, b\",1.5\n\"c \"\"d\"\"\",2\n", second), {1.5, 2}));
    QVERIFY(holdsValues(load("one.csv", "# comment\n5\n\n6\n7\n"), {5, 6, 7}));
  }

  void missingValues() {
    const std::string csv = "v\n1\n\n3\nNA\nNaN\n9\n";  // the blank line is skipped, not missing
    const Sequence interp = load("m.csv", csv);
    QVERIFY(holdsValues(interp, {1, 3, 5, 7, 9}));
    QVERIFY(hasWarning(interp, "2 missing values interpolated"));
    QVERIFY(holdsValues(load("edge.csv", "v\n-\n4\n?\n"), {4, 4, 4}));
    LoadOptions skip;
    skip.missing = MissingPolicy::Skip;
    const Sequence skipped = load("m.csv", csv, skip);
    QVERIFY(holdsValues(skipped, {1, 3, 9}));
    QCOMPARE(skipped.labels.back(), std::string("t=4"));  // labels keep the original step
    LoadOptions refuse;
    refuse.missing = MissingPolicy::Refuse;
    EXPECT_LOAD_ERROR(load("m.csv", csv, refuse), ErrorKind::Format, "m.csv", "line 5", "missing value");
  }

  void numbersIgnoreTheLocale() {
    const char* old = std::setlocale(LC_NUMERIC, nullptr);
    const std::string saved = old ? old : "C";
    const bool german = std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
    const Sequence s = load("loc.csv", "v\n1.5\n2.25\n");
    std::setlocale(LC_NUMERIC, saved.c_str());
    QVERIFY(holdsValues(s, {1.5, 2.25}));
    if (!german) qInfo("de_DE.UTF-8 not installed; parsed under the C locale only");
    LoadOptions col;
    col.csvColumn = "1";
    col.csvHeader = HeaderMode::Present;
    EXPECT_LOAD_ERROR(load("comma.csv", "a;b\nx;1,5\ny;2,5\n", col), ErrorKind::Format, "comma.csv", "line 2", "'.' as the decimal point");
  }

  void nonFiniteRefusedOrReported() {
    EXPECT_LOAD_ERROR(load("inf.csv", "v\n1\ninf\n2\n"), ErrorKind::BadValue, "inf.csv", "line 3", "not finite");
    EXPECT_LOAD_ERROR(load("big.csv", "v\n1\n1e999\n"), ErrorKind::BadValue, "big.csv", "line 3", "out of range");
    // Finite extremes stay finite: differences of +-1e308 would overflow a naive pass.
    QVERIFY(load("extreme.csv", "v\n1e308\n-1.7e308\n1e308\n4.9e-324\n").embeddings.allFinite());
    LoadOptions allow;
    allow.allowNonFinite = true;
    const Sequence s = load("inf.csv", "v\n1\ninf\n2\n", allow);
    QCOMPARE(s.embeddings.rows(), Eigen::Index{3});
    QVERIFY(std::isinf(s.embeddings(1, 0)));
    QVERIFY(hasWarning(s, "1 non-finite"));
  }

  void capAndChunks() {
    std::string csv = "v\n";
    for (int i = 0; i < 5000; ++i) csv += std::to_string(i % 97) + "\n";
    LoadOptions cap;
    cap.maxTokens = 100;
    const Sequence s = load("cap.csv", csv, cap);
    QCOMPARE(s.embeddings.rows(), Eigen::Index{100});
    QVERIFY(hasWarning(s, "cap of 100"));
    LoadOptions tiny;
    tiny.chunkBytes = 3;
    QCOMPARE(load("cap.csv", csv, tiny).embeddings, load("cap.csv", csv).embeddings);
  }

  void hostile() {
    EXPECT_LOAD_ERROR(load("empty.csv", ""), ErrorKind::Format, "empty.csv", "empty");
    EXPECT_LOAD_ERROR(load("blank.csv", "\n\n# only comments\n"), ErrorKind::Format, "blank.csv", "no data lines");
    EXPECT_LOAD_ERROR(load("words.csv", "a,b\nx,y\nz,w\n"), ErrorKind::Format, "words.csv", "no numeric column");
    EXPECT_LOAD_ERROR(load("bad.csv", "v\n1\n2\nabc\n"), ErrorKind::Format, "bad.csv", "line 4", "'abc'");
    LoadOptions second;
    second.csvColumn = "b";
    EXPECT_LOAD_ERROR(load("short.csv", "a,b\n1,2\n3\n", second), ErrorKind::Format, "short.csv", "line 3", "has 1 fields");
    LoadOptions unknown;
    unknown.csvColumn = "nope";
    EXPECT_LOAD_ERROR(load("h.csv", "a,b\n1,2\n", unknown), ErrorKind::InvalidArgument, "h.csv", "'nope'", "'a', 'b'");
    LoadOptions far;
    far.csvColumn = "9";
    EXPECT_LOAD_ERROR(load("h.csv", "a,b\n1,2\n", far), ErrorKind::InvalidArgument, "column index 9");
    EXPECT_LOAD_ERROR(load("quote.csv", "a,b\n1,\"2\n"), ErrorKind::Format, "quote.csv", "line 2", "unterminated");
    EXPECT_LOAD_ERROR(load("long.csv", "v\n1\n" + std::string(2u << 20, '7') + "\n"), ErrorKind::Format, "long.csv", "line 3", "longer than");
    EXPECT_LOAD_ERROR(load("nul.csv", std::string("v\n1\n2\0\n", 7)), ErrorKind::Format, "nul.csv", "line 3", "NUL");
    EXPECT_LOAD_ERROR(load("allmissing.csv", "v\nNA\n-\n", [] {
      LoadOptions o;
      o.csvColumn = "v";
      o.csvHeader = HeaderMode::Present;
      o.missing = MissingPolicy::Skip;
      return o;
    }()), ErrorKind::Format, "no numeric values");
  }
};

QTEST_APPLESS_MAIN(TestCsv)
#include "test_csv.moc"
