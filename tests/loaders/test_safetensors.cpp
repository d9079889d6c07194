// .safetensors loader: dtypes, shapes, tensor names, and headers that lie (issue 6).
#include <QtTest>

#include "loader_fixtures.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestSafetensors : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  Sequence load(const std::string& name, const std::string& bytes, LoadOptions o = {}) {
    return loadSequenceFile(writeFixture(dir_, name, bytes), o);
  }
  static bool equals(const Mat& m, const std::vector<float>& expected, size_t offset = 0) {
    for (Eigen::Index i = 0; i < m.size(); ++i)
      if (m.data()[i] != expected[offset + static_cast<size_t>(i)]) return false;
    return true;
  }
  static std::vector<StTensor> qkvTensors(const std::string& dtype, const std::vector<int64_t>& shape, const std::vector<float>& values) {
    const std::string type = dtype == "F32" ? "f4" : dtype == "F64" ? "f8" : dtype == "F16" ? "f2" : "bf16";
    return {{"q", dtype, shape, encodeFloats(values, type)}, {"k", dtype, shape, encodeFloats(values, type)}, {"v", dtype, shape, encodeFloats(values, type)}};
  }

 private slots:
  void dtypes_data() {
    QTest::addColumn<QString>("dtype");
    for (const char* d : {"F32", "F16", "BF16", "F64"}) QTest::newRow(d) << QString(d);
  }
  void dtypes() {
    QFETCH(QString, dtype);
    const std::vector<float> values = ramp(2 * 5 * 4);  // multiples of 1/8: exact in every dtype
    const Sequence s = load("t.safetensors", safetensorsBytes(qkvTensors(dtype.toStdString(), {2, 5, 4}, values)));
    QVERIFY(s.hasQkv);
    QCOMPARE(s.kind, SequenceKind::Tensor);
    QCOMPARE(s.qkv.heads(), 2);
    QCOMPARE(s.qkv.n(), int64_t{5});
    QVERIFY(equals(s.qkv.k[1], values, 20));
  }

  void shapesAndNames() {
    const auto values = ramp(5 * 4);
    QCOMPARE(load("nd.safetensors", safetensorsBytes(qkvTensors("F32", {5, 4}, values))).qkv.heads(), 1);
    QCOMPARE(load("b.safetensors", safetensorsBytes(qkvTensors("F32", {1, 1, 5, 4}, values))).qkv.n(), int64_t{5});
    const Sequence emb = load("e.safetensors", safetensorsBytes({{"hidden_states", "BF16", {1, 5, 4}, encodeFloats(values, "bf16")}}));
    QVERIFY(!emb.hasQkv);
    QVERIFY(equals(emb.embeddings, values));
    const Sequence only = load("o.safetensors", safetensorsBytes({{"layer.7.out", "F32", {5, 4}, encodeFloats(values, "f4")}}));
    QCOMPARE(only.embeddings.rows(), Eigen::Index{5});

    // A model's own names mapped to q, k, v; V narrower than Q/K.
    const auto v3 = ramp(2 * 5 * 3);
    const std::string model = safetensorsBytes({{"attn.q_proj", "F32", {2, 5, 4}, encodeFloats(ramp(40), "f4")},
                                                {"attn.k_proj", "F32", {2, 5, 4}, encodeFloats(ramp(40), "f4")},
                                                {"attn.v_proj", "F32", {2, 5, 3}, encodeFloats(v3, "f4")},
                                                {"other", "I64", {2}, std::string(16, '\0')}});
    EXPECT_LOAD_ERROR(load("m.safetensors", model), ErrorKind::Format, "m.safetensors", "attn.q_proj", "--tensor q=NAME");
    LoadOptions map;
    map.tensorNames = parseTensorNames("q=attn.q_proj,k=attn.k_proj,v=attn.v_proj");
    const Sequence mapped = load("m.safetensors", model, map);
    QCOMPARE(mapped.qkv.dv(), int64_t{3});
    QVERIFY(equals(mapped.qkv.v[1], v3, 15));
    map.tensorNames = parseTensorNames("embeddings=attn.v_proj");
    QCOMPARE(load("m.safetensors", model, map).qkv.heads(), 2);  // [H, n, d] as Q = K = V
    map.tensorNames = parseTensorNames("q=attn.q_proj,k=nope,v=attn.v_proj");
    EXPECT_LOAD_ERROR(load("m.safetensors", model, map), ErrorKind::InvalidArgument, "m.safetensors", "'nope'", "attn.k_proj");
    map.tensorNames = parseTensorNames("q=attn.q_proj,k=attn.v_proj,v=attn.v_proj");
    EXPECT_LOAD_ERROR(load("m.safetensors", model, map), ErrorKind::Format, "does not match", "must agree");
    map.tensorNames = parseTensorNames("embeddings=other");
    EXPECT_LOAD_ERROR(load("m.safetensors", model, map), ErrorKind::Unsupported, "m.safetensors", "I64");
  }

  void capAndNonFinite() {
    LoadOptions cap;
    cap.maxTokens = 3;
    const auto values = ramp(2 * 5 * 4);
    const Sequence s = load("c.safetensors", safetensorsBytes(qkvTensors("F16", {2, 5, 4}, values)), cap);
    QCOMPARE(s.qkv.n(), int64_t{3});
    QVERIFY(equals(s.qkv.q[1].topRows(1), values, 20));
    QVERIFY(hasWarning(s, "first 3 of 5"));
    auto bad = values;
    bad[7] = std::numeric_limits<float>::infinity();
    const std::string file = safetensorsBytes({{"embeddings", "F32", {5, 8}, encodeFloats(bad, "f4")}});
    EXPECT_LOAD_ERROR(load("inf.safetensors", file), ErrorKind::BadValue, "inf.safetensors", "at byte " + std::to_string(file.size() - 33 * 4), "not finite");
    LoadOptions allow;
    allow.allowNonFinite = true;
    QVERIFY(hasWarning(load("inf.safetensors", file, allow), "1 non-finite"));
  }

  void hostile() {
    const std::string good = safetensorsBytes(qkvTensors("F32", {2, 2}, ramp(4)));
    EXPECT_LOAD_ERROR(load("empty.safetensors", ""), ErrorKind::Format, "empty.safetensors", "empty");
    EXPECT_LOAD_ERROR(load("short.safetensors", good.substr(0, 5)), ErrorKind::Truncated, "short.safetensors", "8-byte header length");
    std::string claim = std::string("\x00\x00\x00\x80\x02\x00\x00\x00", 8) + "{\"a\":1}" + std::string(1000, ' ');  // 10 GiB claimed, 1 KiB real
    EXPECT_LOAD_ERROR(load("claim.safetensors", claim), ErrorKind::Truncated, "claim.safetensors", "10737418240", "only 1007");
    EXPECT_LOAD_ERROR(load("cut.safetensors", good.substr(0, good.size() - 4)), ErrorKind::Truncated, "cut.safetensors", "tensor 'v'", "data section");
    auto withHeader = [](const std::string& json, size_t dataBytes = 16) {
      std::string out;
      appendLE(out, static_cast<uint64_t>(json.size()));
      return out + json + std::string(dataBytes, '\0');
    };
    EXPECT_LOAD_ERROR(load("json.safetensors", withHeader("{\"q\": {\"dtype\": \"F32\",, }")), ErrorKind::Format, "json.safetensors", "at byte 30", "invalid JSON");
    EXPECT_LOAD_ERROR(load("dup.safetensors", withHeader("{\"q\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"q\":{}}")), ErrorKind::Format,
                      "dup.safetensors", "repeats the key 'q'", "at byte 65");
    EXPECT_LOAD_ERROR(load("dupin.safetensors", withHeader("{\"q\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}")),
                      ErrorKind::Format, "repeats the key 'dtype'");
    EXPECT_LOAD_ERROR(load("deep.safetensors", withHeader("{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}")), ErrorKind::Format,
                      "deep.safetensors", "nests deeper");
    EXPECT_LOAD_ERROR(load("arr.safetensors", withHeader("{\"a\":1}  ").replace(8, 1, "[")), ErrorKind::Format, "does not start with '{'");
    auto entry = [&](const std::string& dtype, const std::string& shape, const std::string& offsets) {
      return withHeader("{\"embeddings\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}");
    };
    EXPECT_LOAD_ERROR(load("neg.safetensors", entry("F32", "[-2,2]", "[0,16]")), ErrorKind::Format, "neg.safetensors", "negative dimension -2");
    EXPECT_LOAD_ERROR(load("frac.safetensors", entry("F32", "[2.5,2]", "[0,16]")), ErrorKind::Format, "not a whole number");
    EXPECT_LOAD_ERROR(load("ovf.safetensors", entry("F32", "[4294967296,4294967296,4]", "[0,16]")), ErrorKind::TooLarge, "ovf.safetensors", "overflows");
    EXPECT_LOAD_ERROR(load("u64.safetensors", entry("F32", "[18446744073709551615]", "[0,16]")), ErrorKind::TooLarge, "past 2^63");
    EXPECT_LOAD_ERROR(load("past.safetensors", entry("F32", "[2,2]", "[0,160]")), ErrorKind::Truncated, "past.safetensors", "up to byte 160", "only 16");
    EXPECT_LOAD_ERROR(load("size.safetensors", entry("F32", "[2,3]", "[0,16]")), ErrorKind::Format, "has 16 bytes of data but", "need 24");
    EXPECT_LOAD_ERROR(load("back.safetensors", entry("F32", "[0]", "[16,0]")), ErrorKind::Format, "backwards");
    EXPECT_LOAD_ERROR(load("type.safetensors", entry("F128", "[2,2]", "[0,16]")), ErrorKind::Format, "unknown dtype 'F128'");
    EXPECT_LOAD_ERROR(load("int.safetensors", entry("I32", "[2,2]", "[0,16]")), ErrorKind::Unsupported, "int.safetensors", "I32");
    EXPECT_LOAD_ERROR(load("off.safetensors", entry("F32", "[2,2]", "[0]")), ErrorKind::Format, "data_offsets");
    EXPECT_LOAD_ERROR(load("zero.safetensors", entry("F32", "[0,4]", "[0,0]")), ErrorKind::Format, "zero dimension");
    EXPECT_LOAD_ERROR(load("overlap.safetensors", withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                                             "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}")),
                      ErrorKind::Format, "overlap");
    EXPECT_LOAD_ERROR(load("none.safetensors", withHeader("{\"__metadata__\":{}}")), ErrorKind::Format, "holds no tensors");
    EXPECT_LOAD_ERROR(load("meta.safetensors", withHeader("{\"__metadata__\":3}")), ErrorKind::Format, "'__metadata__' is not an object");
    EXPECT_LOAD_ERROR(load("notobj.safetensors", withHeader("{\"q\":7}")), ErrorKind::Format, "tensor 'q' is not an object");
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
