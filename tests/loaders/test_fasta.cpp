// FASTA loader: records, case, IUPAC codes, line lengths, k-mers and hostile input (issue 6).
#include <QtTest>

#include "loader_fixtures.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestFasta : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  const std::string multi_ = ">chr1 first record\nACGTAC\nGT\n>chr2\nggccNNRY\n;a comment\n>chr3 third\nTTTT\n";

  Sequence load(const std::string& name, const std::string& bytes, LoadOptions o = {}) {
    return loadSequenceFile(writeFixture(dir_, name, bytes), o);
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + " ";
    return s;
  }

 private slots:
  void singleRecordBases() {
    const Sequence s = load("one.fa", ">seq1 some description\nACGT\nacgtn\n");
    QCOMPARE(s.kind, SequenceKind::Dna);
    QCOMPARE(s.name, std::string("seq1"));
    QCOMPARE(join(s.labels), std::string("A C G T A C G T N "));
    QVERIFY(hasWarning(s, "5 lower-case"));
  }

  void chooseRecordByNameOrIndex() {
    QCOMPARE(join(load("m.fa", multi_).labels), std::string("A C G T A C G T "));
    LoadOptions byName;
    byName.fastaRecord = "chr3";
    QCOMPARE(join(load("m.fa", multi_, byName).labels), std::string("T T T T "));
    LoadOptions byIndex;
    byIndex.fastaRecordIndex = 1;
    const Sequence s = load("m.fa", multi_, byIndex);
    QCOMPARE(s.name, std::string("chr2"));
    QCOMPARE(join(s.labels), std::string("G G C C N N R Y "));
    LoadOptions missing;
    missing.fastaRecord = "chrX";
    EXPECT_LOAD_ERROR(load("m.fa", multi_, missing), ErrorKind::InvalidArgument, "m.fa", "'chrX'", "chr1, chr2, chr3");
    LoadOptions tooFar;
    tooFar.fastaRecordIndex = 7;
    EXPECT_LOAD_ERROR(load("m.fa", multi_, tooFar), ErrorKind::InvalidArgument, "index 7", "3 records");
  }

  void iupacAndGaps() {
    const Sequence s = load("iupac.fa", ">x\nRYSWKMBDHVN-AC.GU*\n");
    QCOMPARE(join(s.labels), std::string("R Y S W K M B D H V N A C G U "));
    QVERIFY(hasWarning(s, "3 gap characters"));
  }

  void kmersStrideOneAndK() {
    LoadOptions o;
    o.kmer = 3;
    QCOMPARE(join(load("k.fa", ">x\nACGTA\nC\n", o).labels), std::string("ACG CGT GTA TAC "));
    o.kmerStride = 3;
    QCOMPARE(join(load("k.fa", ">x\nACGTA\nCG\n", o).labels), std::string("ACG TAC "));
    o.kmerStride = 0;  // 0 also means k
    QCOMPARE(join(load("k.fa", ">x\nACGTA\nCG\n", o).labels), std::string("ACG TAC "));
    o.kmer = 6;
    o.kmerStride = 1;
    QCOMPARE(load("k6.fa", ">x\n" + std::string(100, 'A') + "\n", o).labels.size(), size_t{95});
  }

  void anyLineLengthAndCrlf() {
    std::string bases;
    for (int i = 0; i < 100000; ++i) bases += "ACGT"[(i * 7 + i / 13) % 4];
    std::string wrapped = ">w\r\n";
    for (size_t i = 0; i < bases.size(); i += 60) wrapped += bases.substr(i, 60) + "\r\n";
    LoadOptions o;
    o.kmer = 4;
    o.chunkBytes = 1000;
    const Sequence oneLine = load("line.fa", ">w\n" + bases + "\n", o);
    const Sequence lines = load("wrapped.fa", wrapped, o);
    QCOMPARE(oneLine.labels.size(), bases.size() - 3);
    QCOMPARE(oneLine.labels, lines.labels);
    LoadOptions tiny = o;
    tiny.chunkBytes = 1;
    QCOMPARE(load("m.fa", multi_, tiny).labels, load("m.fa", multi_, o).labels);
  }

  void capStopsAndWarns() {
    LoadOptions o;
    o.maxTokens = 10;
    const Sequence s = load("cap.fa", ">x\n" + std::string(1000, 'G') + "\n", o);
    QCOMPARE(s.labels.size(), size_t{10});
    QVERIFY(hasWarning(s, "token cap of 10"));
  }

  void hostile() {
    EXPECT_LOAD_ERROR(load("empty.fa", ""), ErrorKind::Format, "empty.fa", "empty");
    EXPECT_LOAD_ERROR(load("protein.fa", ">p\nACGT\nMKVLEF\n"), ErrorKind::Unsupported, "protein.fa", "line 3", "protein");
    EXPECT_LOAD_ERROR(load("digit.fa", ">p\nAC9T\n"), ErrorKind::Format, "digit.fa", "line 2", "column 3", "'9'");
    EXPECT_LOAD_ERROR(load("nohead.fa", "ACGT\n>x\nAC\n", [] {
      LoadOptions o;
      o.format = FileFormat::Fasta;
      return o;
    }()), ErrorKind::Format, "nohead.fa", "line 1", "'>' header");
    EXPECT_LOAD_ERROR(load("nobases.fa", ">only a header\n"), ErrorKind::Format, "nobases.fa", "has no bases");
    LoadOptions k5;
    k5.kmer = 5;
    EXPECT_LOAD_ERROR(load("short.fa", ">s\nACG\n", k5), ErrorKind::Format, "short.fa", "3 bases, fewer than k = 5");
    EXPECT_LOAD_ERROR(load("nul.fa", std::string(">x\nAC\0GT\n", 9)), ErrorKind::Format, "nul.fa", "NUL");
    EXPECT_LOAD_ERROR(load("ctl.fa", ">x\x01y\nAC\n"), ErrorKind::Format, "ctl.fa", "line 1", "control byte");
    LoadOptions badK;
    badK.kmer = 7;
    EXPECT_LOAD_ERROR(load("m.fa", multi_, badK), ErrorKind::InvalidArgument, "k-mer length");
    LoadOptions badStride;
    badStride.kmer = 4;
    badStride.kmerStride = 2;
    EXPECT_LOAD_ERROR(load("m.fa", multi_, badStride), ErrorKind::InvalidArgument, "stride must be 1 or k");
  }
};

QTEST_APPLESS_MAIN(TestFasta)
#include "test_fasta.moc"
