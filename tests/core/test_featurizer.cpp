// The featurizer: reproducible by seed, and tied Q/K makes repeated tokens
// attend to each other.
#include <QtTest>

#include "common/error.hpp"
#include "featurize/featurizer.hpp"
#include "sequence/samples.hpp"

using namespace attnscope;

class TestFeaturizer : public QObject {
  Q_OBJECT

 private:
  static Sequence words(std::vector<std::string> labels) {
    Sequence s;
    s.name = "test";
    s.labels = std::move(labels);
    return s;
  }

 private slots:
  void sameSeedSameTensors() {
    const Sequence seq = makeSample("document", 300, 7);
    FeaturizeOptions o;
    o.heads = 3;
    o.d = 32;
    o.seed = 42;
    const Qkv a = featurize(seq, o), b = featurize(seq, o);
    QCOMPARE(a.heads(), 3);
    QCOMPARE(a.n(), int64_t{300});
    QCOMPARE(a.d(), int64_t{32});
    for (int h = 0; h < 3; ++h) {
      QVERIFY(a.q[h] == b.q[h]);
      QVERIFY(a.k[h] == b.k[h]);
      QVERIFY(a.v[h] == b.v[h]);
    }
    o.seed = 43;
    const Qkv c = featurize(seq, o);
    QVERIFY(!(a.q[0] == c.q[0]));
    // Heads differ from each other.
    QVERIFY(!(a.q[0] == a.q[1]));
  }

  void equalTokensGetEqualEmbeddings() {
    const Mat e = embedTokens({"Harbor", "the", "Harbor"}, 16, 3);
    QVERIFY(e.row(0) == e.row(2));
    QVERIFY(!(e.row(0) == e.row(1)));
  }

  void tiedQkMakesTwinsAttend() {
    // Without positions, a repeated token's score with its twin beats its
    // score with every other token, in every head.
    std::vector<std::string> labels = {"Harbor"};
    for (int i = 0; i < 60; ++i) labels.push_back("w" + std::to_string(i));
    labels.push_back("Harbor");
    FeaturizeOptions o;
    o.heads = 4;
    o.d = 64;
    o.positions = Positions::None;
    const Qkv qkv = featurize(words(labels), o);
    const int64_t last = static_cast<int64_t>(labels.size()) - 1;
    for (int h = 0; h < 4; ++h) {
      const float twin = qkv.q[h].row(last).dot(qkv.k[h].row(0));
      for (int64_t j = 1; j < last; ++j) QVERIFY2(twin > qkv.q[h].row(last).dot(qkv.k[h].row(j)), qPrintable(QString("head %1 token %2").arg(h).arg(j)));
    }
    // Untied projections lose that guarantee: the twin is no longer special by construction.
    o.tiedQK = false;
    const Qkv untied = featurize(words(labels), o);
    QVERIFY(!(untied.q[0] == untied.k[0]));
  }

  void ropeKeepsNormsAndRotates() {
    Mat x = Mat::Ones(4, 8);
    const Mat before = x;
    applyRope(x);
    for (int i = 0; i < 4; ++i) QVERIFY(std::abs(x.row(i).norm() - before.row(i).norm()) < 1e-5);
    QVERIFY(x.row(0) == before.row(0));  // position 0 is not rotated
    QVERIFY(!(x.row(1) == before.row(1)));
  }

  void rejectsBadOptions() {
    const Sequence seq = makeSample("document", 10, 1);
    FeaturizeOptions o;
    o.heads = 0;
    QVERIFY_THROWS_EXCEPTION(Error, featurize(seq, o));
    o.heads = 1;
    o.d = 0;
    QVERIFY_THROWS_EXCEPTION(Error, featurize(seq, o));
    QVERIFY_THROWS_EXCEPTION(Error, parsePositions("spiral"));
  }

  void documentSampleHasLongRangeCitations() {
    const Sequence doc = makeSample("document", 4000, 1);
    QCOMPARE(doc.length(), int64_t{4000});
    // Some clause name defined early is cited again more than 1000 tokens later.
    int64_t longest = 0;
    for (int64_t i = 0; i < doc.length(); ++i) {
      if (doc.labels[i] != "The" || i + 1 >= doc.length()) continue;
      const std::string& name = doc.labels[i + 1];
      for (int64_t j = doc.length() - 1; j > i + 1; --j)
        if (doc.labels[j] == name) {
          longest = std::max(longest, j - i);
          break;
        }
    }
    QVERIFY2(longest > 1000, qPrintable(QString("longest citation distance %1").arg(longest)));
    // Same seed, same text; different seed, different text.
    QVERIFY(makeSample("document", 500, 1).labels == makeSample("document", 500, 1).labels);
    QVERIFY(makeSample("document", 500, 1).labels != makeSample("document", 500, 2).labels);
    QVERIFY_THROWS_EXCEPTION(Error, makeSample("document", 0, 1));
    QVERIFY_THROWS_EXCEPTION(Error, makeSample("nonsense", 10, 1));
  }
};

QTEST_APPLESS_MAIN(TestFeaturizer)
#include "test_featurizer.moc"
