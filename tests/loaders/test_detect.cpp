// The single loader entry (format by content, then extension), the built-in
// DNA and time-series samples, and the CLI's loader flags (issue 6).
#include <QProcess>
#include <QtTest>
#include <set>

#include "loader_fixtures.hpp"
#include "sequence/samples.hpp"
#include "sequence/source.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestDetect : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  FileFormat detect(const std::string& name, const std::string& bytes, LoadOptions o = {}) {
    auto source = openFileSource(writeFixture(dir_, name, bytes));
    return detectFormat(*source, o);
  }

 private slots:
  void byContentThenExtension() {
    QCOMPARE(detect("x.txt", npyBytes({2, 2}, ramp(4))), FileFormat::Npy);
    QCOMPARE(detect("model.bin", safetensorsBytes({{"q", "F32", {1}, encodeFloats({1.f}, "f4")}})), FileFormat::Safetensors);
    QCOMPARE(detect("genome.dat", "\xEF\xBB\xBF\n>chr1\nACGT\n"), FileFormat::Fasta);
    QCOMPARE(detect("log.dat", "time,value\n0,1.5\n1,2.5\n2,3\n"), FileFormat::Csv);
    QCOMPARE(detect("numbers", "1\n2\n3.5\n"), FileFormat::Csv);
    QCOMPARE(detect("prose.dat", "Hello, world. This is, in short, prose.\nIt has commas, too.\n"), FileFormat::Text);
    QCOMPARE(detect("one.csv", "5\n"), FileFormat::Csv);
    QCOMPARE(detect("notes.txt", "1,2\n3,4\n"), FileFormat::Text);  // the extension wins over sniffing
    QCOMPARE(detect("reads.fasta", "ACGT\n"), FileFormat::Fasta);
    LoadOptions forced;
    forced.format = FileFormat::Text;
    QCOMPARE(detect("x.npy", npyBytes({2, 2}, ramp(4)), forced), FileFormat::Text);
    // A corrupt file with a binary extension goes to that loader, which says what is wrong.
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "broken.npy", "hello")), ErrorKind::Format, "broken.npy", "bad magic");
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "empty.bin", "")), ErrorKind::Format, "empty.bin", "empty");
    const Sequence s = loadSequenceFile(writeFixture(dir_, "seq.dat", ">r\nACGT\n"));
    QCOMPARE(s.kind, SequenceKind::Dna);
  }

  void optionParsers() {
    QCOMPARE(parseFileFormat("tsv"), FileFormat::Csv);
    QCOMPARE(parseTensorRole("query"), TensorRole::Q);
    const auto names = parseTensorNames("q=a.q,k=a.k,value=a.v");
    QCOMPARE(names.at("v"), std::string("a.v"));
    EXPECT_LOAD_ERROR(parseTensorNames("q=a"), ErrorKind::InvalidArgument, "all three");
    EXPECT_LOAD_ERROR(parseTensorNames("q=a,k=b,v=c,x=d"), ErrorKind::InvalidArgument, "unknown role 'x'");
    EXPECT_LOAD_ERROR(parseTensorNames("q"), ErrorKind::InvalidArgument, "ROLE=NAME");
    EXPECT_LOAD_ERROR(parseMissingPolicy("drop"), ErrorKind::InvalidArgument, "interpolate, skip, error");
  }

  void dnaSample() {
    for (int64_t n : {1, 7, 100, 5000}) {
      const Sequence s = makeSample("dna", n, 3);
      QCOMPARE(s.kind, SequenceKind::Dna);
      QCOMPARE(static_cast<int64_t>(s.labels.size()), n);
      QCOMPARE(s.labels.front().size(), size_t{6});
    }
    QCOMPARE(makeSample("dna", 500, 3).labels, makeSample("dna", 500, 3).labels);
    QVERIFY(makeSample("dna", 500, 3).labels != makeSample("dna", 500, 4).labels);
    QCOMPARE(makeDnaSample(50, 1, 1).labels.front().size(), size_t{1});
    // Enhancer and promoter share a 12-base site thousands of bases apart.
    const Sequence bases = makeDnaSample(20000, 5, 1);
    std::string dna;
    for (const auto& b : bases.labels) dna += b;
    size_t tata = dna.find("TATAAAAG", 1000);
    QVERIFY(tata != std::string::npos);
    const std::string site = dna.substr(tata - 18, 12);
    const size_t enhancer = dna.find(site);
    QVERIFY(enhancer + 2000 < tata);
    QCOMPARE(dna.substr(enhancer + 16, 12), site);  // enhancers repeat their site
  }

  void timeSeriesSample() {
    for (int64_t n : {1, 2, 50, 9000}) {
      const Sequence s = makeSample("timeseries", n, 2);
      QCOMPARE(s.kind, SequenceKind::TimeSeries);
      QCOMPARE(s.embeddings.rows(), Eigen::Index{n});
      QCOMPARE(static_cast<int64_t>(s.labels.size()), n);
      QVERIFY(s.embeddings.allFinite());
    }
    const Sequence s = makeSample("timeseries", 9000, 2);
    QCOMPARE(s.labels[123], std::string("t=123"));
    // Column 0 is the standardized value: the shock near n/8 is the largest
    // peak, and its echo about 91 days (2184 h) later the largest after it.
    Eigen::Index shock;
    s.embeddings.col(0).maxCoeff(&shock);
    QVERIFY(shock > 1000 && shock < 1400);
    Eigen::Index echo;
    s.embeddings.col(0).segment(shock + 500, 9000 - shock - 500).maxCoeff(&echo);
    echo += shock + 500;
    QVERIFY2(std::abs(echo - shock - 2184) < 40, qPrintable(QString("echo at %1, shock at %2").arg(echo).arg(shock)));
    QCOMPARE(makeSample("timeseries", 300, 9).embeddings, makeSample("timeseries", 300, 9).embeddings);
  }

  void cliFlagErrorsNameTheFlag_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("flag");
    QTest::newRow("format") << QStringList{"--format", "xml"} << "--format";
    QTest::newRow("text-mode") << QStringList{"--text-mode", "letters"} << "--text-mode";
    QTest::newRow("kmer") << QStringList{"--kmer", "9"} << "--kmer";
    QTest::newRow("kmer-stride") << QStringList{"--kmer", "3", "--kmer-stride", "2"} << "--kmer-stride";
    QTest::newRow("record-index") << QStringList{"--record-index", "-1"} << "--record-index";
    QTest::newRow("record-both") << QStringList{"--record", "a", "--record-index", "1"} << "--record-index";
    QTest::newRow("missing") << QStringList{"--missing", "drop"} << "--missing";
    QTest::newRow("header") << QStringList{"--header", "maybe"} << "--header";
    QTest::newRow("delimiter") << QStringList{"--delimiter", "ab"} << "--delimiter";
    QTest::newRow("features") << QStringList{"--features", "1"} << "--features";
    QTest::newRow("tensor") << QStringList{"--tensor", "q=a,k=b"} << "--tensor";
    QTest::newRow("role") << QStringList{"--role", "x"} << "--role";
    QTest::newRow("max-load-bytes") << QStringList{"--max-load-bytes", "lots"} << "--max-load-bytes";
    QTest::newRow("max-tokens") << QStringList{"--max-tokens", "0"} << "--max-tokens";
  }
  void cliFlagErrorsNameTheFlag() {
    QFETCH(QStringList, args);
    QFETCH(QString, flag);
    QProcess cli;
    cli.start(ATTNSCOPE_CLI, QStringList{"run", "--variant", "dense", "--sample", "dna", "--n", "64"} + args);
    QVERIFY(cli.waitForFinished(30000));
    const QString err = QString::fromUtf8(cli.readAllStandardError()).trimmed();
    QCOMPARE(cli.exitCode(), 2);
    QVERIFY2(err.contains(flag + ":"), qPrintable(err));
    QCOMPARE(err.count('\n'), 0);
  }

  void cliLoadsWithFlags() {
    const std::string fa = writeFixture(dir_, "cli.fa", ">a\nACGTACGTAC\n>b\nGGGGCCCCAAAATTTTGGCC\n");
    QProcess cli;
    cli.start(ATTNSCOPE_CLI, {"run", "--variant", "dense", "--input", QString::fromStdString(fa), "--record", "b", "--kmer", "4", "--kmer-stride", "k",
                              "--n", "100", "--d", "8", "--heads", "1", "--repeats", "1"});
    QVERIFY(cli.waitForFinished(30000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QVERIFY2(cli.readAllStandardOutput().contains("n=5 "), "record b as 4-mers with stride 4 has 5 positions");
  }
};

QTEST_APPLESS_MAIN(TestDetect)
#include "test_detect.moc"
