// Session files: a round trip keeps the state; a missing input file, unknown
// variants, bad values and bad JSON give readable messages, never a crash.
#include <QTemporaryDir>
#include <QtTest>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "run_history.hpp"
#include "session_file.hpp"

using namespace attnscope;
using nlohmann::json;

namespace {

SessionState knownState(const QString& inputFile) {
  SessionState s;
  s.base.inputFile = inputFile.toStdString();
  s.base.sample.clear();
  s.base.n = 2048;
  s.base.features.heads = 3;
  s.base.features.d = 32;
  s.base.features.positions = Positions::Rope;
  s.base.features.tiedQK = false;
  s.base.features.seed = 7;
  s.base.load.textMode = TextMode::Chars;
  s.base.load.kmer = 3;
  s.base.repeats = 9;
  s.base.backend = "cpu";
  AttentionSpec window = makeSpec("sliding_window");
  window.params.set("window", "96");
  AttentionSpec globals = makeSpec("longformer");
  globals.params.set("globals", "4");
  s.variants = {"sliding_window", "longformer", "dense"};
  s.variantSpecs = {window, globals, makeSpec("dense")};
  s.base.attention = window;
  s.base.attention.causal = true;
  s.mapHead = 2;
  s.page = "scaling";
  return s;
}

}  // namespace

class TestSessionFile : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  QString write(const QString& name, const QByteArray& bytes) {
    QFile f(dir_.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(bytes);
    return f.fileName();
  }

 private slots:
  void roundTrip() {
    const QString input = write("text.txt", "The harbor clause applies.");
    const SessionState before = knownState(input);
    SessionExtras extras;
    extras.pages["scaling"] = {{"lengths", "512:4096"}};
    extras.window = {{"geometry", "abc"}};
    const QString path = dir_.filePath("a.attnscope");
    QString error;
    QVERIFY2(saveSession(path, before, extras, &error), qPrintable(error));

    QStringList warnings;
    SessionExtras back;
    const std::optional<SessionState> after = openSession(path, &warnings, &error, &back);
    QVERIFY2(after.has_value(), qPrintable(error));
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join("\n")));
    QCOMPARE(after->base.inputFile, before.base.inputFile);
    QCOMPARE(after->base.n, int64_t(2048));
    QCOMPARE(after->base.features.heads, 3);
    QCOMPARE(after->base.features.d, 32);
    QVERIFY(after->base.features.positions == Positions::Rope);
    QCOMPARE(after->base.features.tiedQK, false);
    QCOMPARE(after->base.features.seed, uint64_t(7));
    QVERIFY(after->base.load.textMode == TextMode::Chars);
    QCOMPARE(after->base.load.kmer, 3);
    QCOMPARE(after->base.repeats, 9);
    QCOMPARE(after->base.attention.causal, true);
    QCOMPARE(after->variants, before.variants);
    QCOMPARE(after->variantSpecs.size(), size_t(3));
    QCOMPARE(after->variantSpecs[0].params.getInt("window"), int64_t(96));
    QCOMPARE(after->variantSpecs[1].params.getInt("globals"), int64_t(4));
    QCOMPARE(after->variantSpecs[1].params.describe(), before.variantSpecs[1].params.describe());
    QCOMPARE(after->mapHead, 2);
    QCOMPARE(after->page, QString("scaling"));
    QCOMPARE(back.pages["scaling"]["lengths"].get<std::string>(), std::string("512:4096"));
    QCOMPARE(back.window["geometry"].get<std::string>(), std::string("abc"));
    // Saving again gives the same file.
    QCOMPARE(sessionToJson(*after, back).dump(), sessionToJson(before, extras).dump());
  }

  void missingInputFileKeepsTheRest() {
    const SessionState before = knownState(dir_.filePath("gone.fasta"));
    QStringList warnings;
    const SessionState after = sessionFromJson(sessionToJson(before), &warnings);
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings[0].contains("gone.fasta") && warnings[0].contains("not found"), qPrintable(warnings[0]));
    QVERIFY(after.base.inputFile.empty());
    QVERIFY(!after.base.sample.empty());  // falls back to the built-in sample
    QCOMPARE(after.variants, before.variants);
    QCOMPARE(after.variantSpecs[0].params.getInt("window"), int64_t(96));
    QCOMPARE(after.base.features.heads, 3);
    QCOMPARE(after.page, QString("scaling"));
  }

  void unknownVariantsAndBadValuesAreWarnings() {
    json j = sessionToJson(knownState(QString()));
    j["variants"].push_back({{"id", "no_such_variant"}});
    j["variants"][0]["params"]["window"] = "-5";
    j["spec"]["features"]["heads"] = "four";
    QStringList warnings;
    const SessionState s = sessionFromJson(j, &warnings);
    QCOMPARE(s.variants.size(), size_t(3));
    QCOMPARE(warnings.size(), 3);
    QVERIFY(warnings.join(" ").contains("no_such_variant"));
    QVERIFY(warnings.join(" ").contains("window"));
    QCOMPARE(s.variantSpecs[0].params.getInt("window"), makeSpec("sliding_window").params.getInt("window"));
    QCOMPARE(s.base.features.heads, FeaturizeOptions{}.heads);
  }

  void badFilesGiveReadableErrors() {
    QStringList warnings;
    QString error;
    QVERIFY(!openSession(write("bad.attnscope", "{\"format\": \"attnscope-session\", "), &warnings, &error));
    QVERIFY2(error.contains("not valid JSON"), qPrintable(error));
    error.clear();
    QVERIFY(!openSession(write("other.attnscope", "[1, 2, 3]"), &warnings, &error));
    QVERIFY2(error.contains("not an AttnScope session"), qPrintable(error));
    error.clear();
    QVERIFY(!openSession(write("newer.attnscope", "{\"format\": \"attnscope-session\", \"version\": 99}"), &warnings, &error));
    QVERIFY2(error.contains("newer"), qPrintable(error));
    error.clear();
    QVERIFY(!openSession(dir_.filePath("absent.attnscope"), &warnings, &error));
    QVERIFY2(error.contains("cannot open"), qPrintable(error));
    // Wrong types everywhere still open, with the defaults.
    warnings.clear();
    const auto s = openSession(write("odd.attnscope", "{\"format\": \"attnscope-session\", \"version\": 1, \"spec\": 3, \"variants\": {}, "
                                                      "\"page\": 5, \"map_head\": -3}"),
                               &warnings, &error);
    QVERIFY(s.has_value());
    QCOMPARE(s->page, QString("compare"));
    QCOMPARE(s->mapHead, 0);
  }

  void runHistorySpecsRoundTrip() {
    RunHistory history;
    RunRecord& compare = history.beginRun(JobKind::Compare, 1);
    compare.specs = {knownState(QString()).base};
    RunRecord& sweep = history.beginRun(JobKind::Sweep, 2);
    SweepSpec spec;
    spec.variants = {"dense", "sliding_window"};
    spec.lengths = {512, 1024};
    spec.params = {{"sliding_window", "window", {"32", "64"}}};
    sweep.sweepSpec = spec;
    const json saved = history.toJson();
    RunHistory restored;
    QStringList warnings;
    restored.restoreJson(saved, &warnings);
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join("\n")));
    QCOMPARE(restored.runs().size(), size_t(2));
    QVERIFY(restored.runs()[0].state == RunRecord::State::Restored);
    QCOMPARE(restored.runs()[0].specs.front().n, int64_t(2048));
    QCOMPARE(restored.runs()[1].sweepSpec->lengths, spec.lengths);
    QCOMPARE(restored.runs()[1].sweepSpec->params.front().values, spec.params.front().values);
    QVERIFY(restored.runs()[1].label().contains("window swept"));
  }

  void runsNamingAMissingFileWarnOnce() {
    RunHistory history;
    for (JobId job : {JobId(1), JobId(2), JobId(3)}) history.beginRun(JobKind::Compare, job).specs = {knownState(dir_.filePath("gone.csv")).base};
    RunHistory restored;
    QStringList warnings;
    restored.restoreJson(history.toJson(), &warnings);
    QCOMPARE(restored.runs().size(), size_t(3));
    QCOMPARE(warnings.size(), 1);
    QVERIFY(warnings[0].contains("gone.csv"));
  }
};

QTEST_MAIN(TestSessionFile)
#include "test_session_file.moc"
