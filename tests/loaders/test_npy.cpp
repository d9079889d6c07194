// .npy loader: versions, dtypes, byte orders, Fortran order, shapes and
// roles, caps, and headers that lie (issue 6).
#include <QtTest>

#include "loader_fixtures.hpp"
#include "sequence/npy.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestNpy : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  Sequence load(const std::string& name, const std::string& bytes, LoadOptions o = {}) {
    return loadSequenceFile(writeFixture(dir_, name, bytes), o);
  }
  static bool equals(const Mat& m, const float* expected) {
    for (Eigen::Index i = 0; i < m.size(); ++i)
      if (m.data()[i] != expected[i]) return false;
    return true;
  }

 private slots:
  void versionsDtypesAndByteOrders_data() {
    QTest::addColumn<QString>("descr");
    QTest::addColumn<int>("version");
    for (const char* d : {"<f4", ">f4", "<f2", ">f2", "<f8", ">f8", "|f4"})
      for (int v : {1, 2, 3}) QTest::addRow("%s_v%d", d, v) << QString(d) << v;
  }
  void versionsDtypesAndByteOrders() {
    QFETCH(QString, descr);
    QFETCH(int, version);
    const std::vector<float> values = ramp(5 * 4);
    const Sequence s = load("e.npy", npyBytes({5, 4}, values, descr.toStdString(), false, version));
    QCOMPARE(s.kind, SequenceKind::Tensor);
    QVERIFY(!s.hasQkv);
    QCOMPARE(s.embeddings.rows(), Eigen::Index{5});
    QCOMPARE(s.embeddings.cols(), Eigen::Index{4});
    QVERIFY(equals(s.embeddings, values.data()));
  }

  void fortranOrderIsConverted() {
    // Column-major storage of the 3 x 4 matrix m(i, j) = 10 i + j.
    std::vector<float> fortran;
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 3; ++i) fortran.push_back(static_cast<float>(10 * i + j));
    const Sequence s = load("f.npy", npyBytes({3, 4}, fortran, "<f4", true));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) QCOMPARE(s.embeddings(i, j), static_cast<float>(10 * i + j));
    // A rank-4 stacked array in Fortran order too.
    std::vector<float> c = ramp(3 * 2 * 4 * 2), f(c.size());
    const int64_t shape[4] = {3, 2, 4, 2};
    for (int64_t a = 0; a < 3; ++a)
      for (int64_t b = 0; b < 2; ++b)
        for (int64_t n = 0; n < 4; ++n)
          for (int64_t d = 0; d < 2; ++d)
            f[static_cast<size_t>(a + shape[0] * (b + shape[1] * (n + shape[2] * d)))] = c[static_cast<size_t>(((a * 2 + b) * 4 + n) * 2 + d)];
    const Sequence q = load("f4.npy", npyBytes({3, 2, 4, 2}, f, "<f4", true));
    QVERIFY(q.hasQkv);
    QVERIFY(equals(q.qkv.v[1], c.data() + (2 * 2 + 1) * 8));
  }

  void shapesAndRoles() {
    const std::vector<float> values = ramp(3 * 2 * 5 * 4);
    const Sequence stacked = load("qkv.npy", npyBytes({3, 2, 5, 4}, values));
    QVERIFY(stacked.hasQkv);
    QCOMPARE(stacked.qkv.heads(), 2);
    QCOMPARE(stacked.qkv.n(), int64_t{5});
    QCOMPARE(stacked.qkv.d(), int64_t{4});
    QVERIFY(equals(stacked.qkv.q[0], values.data()));
    QVERIFY(equals(stacked.qkv.k[1], values.data() + 3 * 20));
    QVERIFY(equals(stacked.qkv.v[0], values.data() + 4 * 20));
    QCOMPARE(load("qkv5.npy", npyBytes({1, 3, 2, 5, 4}, values)).qkv.heads(), 2);  // a batch of one

    const Sequence heads = load("h.npy", npyBytes({6, 5, 4}, ramp(120)));
    QVERIFY(heads.hasQkv);
    QCOMPARE(heads.qkv.heads(), 6);
    QVERIFY(hasWarning(heads, "used as Q, K and V"));
    QCOMPARE(load("e3.npy", npyBytes({1, 5, 4}, ramp(20))).embeddings.rows(), Eigen::Index{5});
    LoadOptions asQkv;
    asQkv.role = TensorRole::Qkv;
    QCOMPARE(load("e3.npy", npyBytes({1, 5, 4}, ramp(20)), asQkv).qkv.heads(), 1);
    QCOMPARE(load("nd.npy", npyBytes({5, 4}, ramp(20)), asQkv).qkv.n(), int64_t{5});
    LoadOptions asEmb;
    asEmb.role = TensorRole::Embeddings;
    EXPECT_LOAD_ERROR(load("h.npy", npyBytes({6, 5, 4}, ramp(120)), asEmb), ErrorKind::Format, "h.npy", "[6, 5, 4]", "[n, d_model]");
    EXPECT_LOAD_ERROR(load("r5.npy", npyBytes({2, 3, 2, 5, 4}, ramp(240))), ErrorKind::Format, "r5.npy", "is not [3, H, n, d]");
    EXPECT_LOAD_ERROR(load("r1.npy", npyBytes({7}, ramp(7))), ErrorKind::Format, "r1.npy");
  }

  void roleWithPartnerFiles() {
    const auto q = ramp(2 * 5 * 4, 0.5f), k = ramp(2 * 5 * 4, 0.25f), v = ramp(2 * 5 * 3, 1.0f);
    writeFixture(dir_, "layer3_q.npy", npyBytes({2, 5, 4}, q));
    writeFixture(dir_, "layer3_k.npy", npyBytes({2, 5, 4}, k));
    const std::string vPath = writeFixture(dir_, "layer3_v.npy", npyBytes({1, 2, 5, 3}, v));
    LoadOptions role;
    role.role = TensorRole::V;
    const Sequence s = loadSequenceFile(vPath, role);
    QVERIFY(s.hasQkv);
    QVERIFY(equals(s.qkv.k[1], k.data() + 20));
    QCOMPARE(s.qkv.dv(), int64_t{3});
    const Sequence autoPaired = loadSequenceFile(dir_.filePath("layer3_q.npy").toStdString());
    QVERIFY(autoPaired.hasQkv);
    QVERIFY(hasWarning(autoPaired, "partners"));
    QVERIFY(equals(autoPaired.qkv.q[0], q.data()));
    const std::string lonely = writeFixture(dir_, "solo_query.npy", npyBytes({2, 5, 4}, q));
    role.role = TensorRole::Q;
    EXPECT_LOAD_ERROR(loadSequenceFile(lonely, role), ErrorKind::Io, "solo_query.npy", "solo_key.npy");
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "plain.npy", npyBytes({2, 5, 4}, q)), role), ErrorKind::InvalidArgument, "partner files");
    writeFixture(dir_, "bad_k.npy", npyBytes({2, 6, 4}, ramp(48)));
    writeFixture(dir_, "bad_v.npy", npyBytes({2, 5, 4}, q));
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "bad_q.npy", npyBytes({2, 5, 4}, q)), role), ErrorKind::Format, "bad_k.npy", "must agree");
  }

  void capsAndQkvEntry() {
    LoadOptions cap;
    cap.maxTokens = 2;
    const std::vector<float> values = ramp(3 * 5 * 4);
    const Sequence s = load("crop.npy", npyBytes({3, 1, 5, 4}, values), cap);
    QCOMPARE(s.qkv.n(), int64_t{2});
    QVERIFY(equals(s.qkv.k[0], values.data() + 20));
    QVERIFY(hasWarning(s, "first 2 of 5"));
    LoadOptions bytes;
    bytes.maxBytes = 100;
    EXPECT_LOAD_ERROR(load("crop.npy", npyBytes({3, 1, 5, 4}, values), bytes), ErrorKind::TooLarge, "crop.npy", "cap");
    QCOMPARE(loadQkvNpy(writeFixture(dir_, "qkv.npy", npyBytes({3, 1, 5, 4}, values))).heads(), 1);
    EXPECT_LOAD_ERROR(loadQkvNpy(writeFixture(dir_, "emb.npy", npyBytes({5, 4}, ramp(20)))), ErrorKind::Format, "emb.npy", "not Q/K/V");
    // The legacy array reader still works.
    const NpyArray a = readNpy(dir_.filePath("qkv.npy").toStdString());
    QCOMPARE(a.count(), int64_t{60});
  }

  void nonFinite() {
    std::vector<float> values = ramp(8);
    values[5] = std::numeric_limits<float>::quiet_NaN();
    const std::string nan = npyBytes({2, 4}, values);
    const std::string at = "at byte " + std::to_string(nan.size() - 3 * 4);
    EXPECT_LOAD_ERROR(load("nan.npy", nan), ErrorKind::BadValue, "nan.npy", at, "NaN");
    values[5] = std::numeric_limits<float>::infinity();
    const std::string half = npyBytes({2, 4}, values, "<f2");
    EXPECT_LOAD_ERROR(load("inf.npy", half), ErrorKind::BadValue, "inf.npy", "at byte " + std::to_string(half.size() - 3 * 2), "not finite");
    std::string wide;
    appendLE(wide, 1e300);  // finite as float64, not as float32
    appendLE(wide, 1.0);
    EXPECT_LOAD_ERROR(load("big.npy", npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", wide)), ErrorKind::BadValue, "big.npy",
                      "float32 range");
    LoadOptions allow;
    allow.allowNonFinite = true;
    const Sequence s = load("inf.npy", npyBytes({2, 4}, values), allow);
    QVERIFY(std::isinf(s.embeddings(1, 1)));
    QVERIFY(hasWarning(s, "1 non-finite values kept (first " + at + ")"));
  }

  void hostileHeaders() {
    const std::string good = npyBytes({4, 4}, ramp(16));
    EXPECT_LOAD_ERROR(load("empty.npy", ""), ErrorKind::Format, "empty.npy", "empty");
    EXPECT_LOAD_ERROR(load("magic.npy", "NOTNUMPY" + good.substr(8)), ErrorKind::Format, "magic.npy", "bad magic");
    EXPECT_LOAD_ERROR(load("pre.npy", good.substr(0, 8)), ErrorKind::Truncated, "pre.npy", "preamble");
    EXPECT_LOAD_ERROR(load("trunc.npy", good.substr(0, good.size() - 5)), ErrorKind::Truncated, "trunc.npy", "needs 64 bytes", "has 59");
    const int headerLen = static_cast<unsigned char>(good[8]) | static_cast<unsigned char>(good[9]) << 8;
    EXPECT_LOAD_ERROR(load("hdr.npy", good.substr(0, 40)), ErrorKind::Truncated, "hdr.npy", "header claims " + std::to_string(headerLen) + " bytes");
    std::string v2 = npyBytes({2}, ramp(2), "<f4", false, 2);
    v2.replace(8, 4, "\x00\x00\x00\x80", 4);  // a 2 GiB header in a tiny file
    EXPECT_LOAD_ERROR(load("huge.npy", v2), ErrorKind::Truncated, "huge.npy", "at byte 8", "2147483648");
    std::string v9 = good;
    v9[6] = 9;
    EXPECT_LOAD_ERROR(load("v9.npy", v9), ErrorKind::Unsupported, "v9.npy", "version 9");
    auto dict = [](const std::string& descr, const std::string& order, const std::string& shape) {
      return "{'descr': " + descr + ", 'fortran_order': " + order + ", 'shape': " + shape + ", }";
    };
    const std::string data = encodeFloats(ramp(16), "f4");
    EXPECT_LOAD_ERROR(load("neg.npy", npyWithHeader(dict("'<f4'", "False", "(-4, 4)"), data)), ErrorKind::Format, "neg.npy", "negative dimension -4");
    EXPECT_LOAD_ERROR(load("ovf.npy", npyWithHeader(dict("'<f4'", "False", "(4294967296, 4294967296, 16)"), data)), ErrorKind::TooLarge, "ovf.npy", "overflows");
    EXPECT_LOAD_ERROR(load("i64.npy", npyWithHeader(dict("'<f4'", "False", "(99999999999999999999,)"), data)), ErrorKind::Format, "i64.npy", "bad dimension");
    EXPECT_LOAD_ERROR(load("lie.npy", npyWithHeader(dict("'<f4'", "False", "(100000, 100000)"), data)), ErrorKind::Truncated, "lie.npy", "needs 40000000000 bytes");
    EXPECT_LOAD_ERROR(load("int.npy", npyWithHeader(dict("'<i4'", "False", "(4, 4)"), data)), ErrorKind::Unsupported, "int.npy", "'<i4'");
    EXPECT_LOAD_ERROR(load("obj.npy", npyWithHeader(dict("'|O'", "False", "(4, 4)"), data)), ErrorKind::Unsupported, "obj.npy");
    EXPECT_LOAD_ERROR(load("rec.npy", npyWithHeader(dict("[('a', '<f4'), ('b', '<f4')]", "False", "(8,)"), data)), ErrorKind::Unsupported, "rec.npy", "structured");
    EXPECT_LOAD_ERROR(load("ord.npy", npyWithHeader(dict("'<f4'", "Maybe", "(4, 4)"), data)), ErrorKind::Format, "ord.npy", "unexpected value");
    EXPECT_LOAD_ERROR(load("dup.npy", npyWithHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", data)), ErrorKind::Format,
                      "dup.npy", "repeats the key 'descr'");
    EXPECT_LOAD_ERROR(load("noshape.npy", npyWithHeader("{'descr': '<f4', 'fortran_order': False}", data)), ErrorKind::Format, "noshape.npy", "'shape'");
    EXPECT_LOAD_ERROR(load("junk.npy", npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), } trailing", data)), ErrorKind::Format,
                      "junk.npy", "after the end");
    EXPECT_LOAD_ERROR(load("zero.npy", npyWithHeader(dict("'<f4'", "False", "(0, 4)"), "")), ErrorKind::Format, "zero.npy", "zero dimension");
    EXPECT_LOAD_ERROR(load("deep.npy", npyWithHeader("{'descr': " + std::string(100, '[') + ", }", data)), ErrorKind::Format, "deep.npy", "nests too deeply");
  }
};

QTEST_APPLESS_MAIN(TestNpy)
#include "test_npy.moc"
