// The engine's error messages in the window's language (views/engine_message):
// every known shape is held to a message the engine really produces (so a
// changed wording in core fails here instead of silently going untranslated),
// English rebuilds each message exactly, and Chinese rewords it around the
// same names and numbers.
#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include "analysis/analysis_run.hpp"
#include "attention/registry.hpp"
#include "attention/variants/memory_slots.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "backend/backend.hpp"
#include "common/cancel.hpp"
#include "common/error.hpp"
#include "engine_message.hpp"
#include "explore_job.hpp"
#include "experiment/run.hpp"
#include "lesson/lesson.hpp"
#include "sequence/loader.hpp"
#include "sequence/samples.hpp"

using namespace attnscope;

namespace {

bool hasCjk(const QString& text) {
  return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF; });
}

template <typename Fn>
QString errorOf(Fn fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return QStringLiteral("<no error>");
}

}  // namespace

class TestEngineMessage : public QObject {
  Q_OBJECT

  QTemporaryDir dir;
  QStringList messages;  // what the engine said, one per case
  QStringList optional;  // shapes this build may have no way to produce

  void write(const QString& name, const QByteArray& bytes) {
    QFile f(dir.filePath(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
  }

 private slots:
  void initTestCase() {
    auto params = [](const char* variant) { return makeSpec(variant).params; };
    // Parameters: one of each kind of complaint.
    messages << errorOf([&] { params("sliding_window").set("window", "-5"); })
             << errorOf([&] { params("sliding_window").set("window", "wide"); })
             << errorOf([&] { params("memory_slots").set("gate", "half"); })
             << errorOf([&] { params("performer").set("orthogonal", "maybe"); })
             << errorOf([&] { params("longformer").set("global_indices", "1,two"); })
             << errorOf([&] { params("longformer").set("global_indices", "1,-3"); })
             << errorOf([&] { params("linformer").set("projection", "fourier"); })
             << errorOf([&] { params("longformer").set("global_pattern", "[CLS"); })
             << errorOf([&] { params("sliding_window").set("size", "3"); })
             << errorOf([&] { params("dense").set("window", "3"); });
    std::string many;
    for (int k = 0; k < 1000001; ++k) many += "0,";
    messages << errorOf([&] { params("longformer").set("global_indices", many); });
    messages << errorOf([] { VariantRegistry::instance().get("flash"); });
    // Variants' own checks.
    const Shape shape{512, 16, 16, 1, false, 1};
    AttentionSpec lf = makeSpec("longformer");
    lf.params.set("global_indices", "600");
    messages << errorOf([&] { VariantRegistry::instance().get("longformer").validate(lf, shape); });
    AttentionSpec topk = makeSpec("topk_dynamic");
    topk.params.set("topk", "0");
    topk.params.set("local_blocks", "0");
    messages << errorOf([&] { VariantRegistry::instance().get("topk_dynamic").validate(topk, shape); });
    messages << errorOf([&] { VariantRegistry::instance().get("memory_slots").validate(makeSpec("memory_slots"), Shape{512, 16, 8, 1, false, 1}); });
    AttentionSpec performer = makeSpec("performer");
    performer.causal = true;
    if (!VariantRegistry::instance().get("performer").info().supportsCausal)
      messages << errorOf([&] { VariantRegistry::instance().get("performer").validate(performer, Shape{512, 16, 16, 1, true, 1}); });
    AttentionSpec linformer = makeSpec("linformer");
    linformer.causal = true;
    messages << errorOf([&] { VariantRegistry::instance().get("linformer").validate(linformer, Shape{512, 16, 16, 1, true, 1}); });
    ExploreRequest explore;
    explore.spec = linformer;
    explore.n = 256;
    messages << QString::fromStdString(exploreSpec(explore).error);
    // Runs and inputs.
    RunSpec run;
    run.n = int64_t{1} << 30;
    run.memoryBudgetBytes = int64_t{1} << 60;
    messages << errorOf([&] { loadInput(run); });
    messages << errorOf([] { makeSample("document", (int64_t{1} << 26) + 1); });
    messages << errorOf([] { makeSample("poetry", 10); });
    // The memory guard's three refusals: the input alone, input and run together, the run's workspace.
    RunSpec guarded;
    guarded.n = 4096;
    guarded.attention = makeSpec("dense");
    guarded.memoryBudgetBytes = 1000;
    messages << errorOf([&] { checkRequestGuard(guarded, guarded.n, true, true); });
    guarded.memoryBudgetBytes = static_cast<int64_t>(predictedInputBytes(guarded, guarded.n, true, true)) + 1;
    messages << errorOf([&] { checkRequestGuard(guarded, guarded.n, true, true); });
    guarded.memoryBudgetBytes = 1000;
    Backend& cpu = BackendRegistry::instance().get("cpu");
    const Shape big{4096, 64, 64, 4, false, 1};
    messages << errorOf([&] { checkMemoryGuard(guarded, cpu, predictCost(VariantRegistry::instance().get("dense"), guarded.attention, big), big); });
    // A backend that cannot run the spec, and one that is not there.
    RunSpec bf16;
    bf16.n = 64;
    bf16.features.heads = 1;
    bf16.features.d = 16;
    bf16.attention = makeSpec("performer");
    bf16.attention.precision = Precision::Bf16;
    messages << errorOf([&] { runFromSpec(bf16); });
    optional << "backend '%1' is not available: %2";
    if (Backend* cuda = BackendRegistry::instance().find("cuda"); cuda && !cuda->status().available) {
      RunSpec onGpu = bf16;
      onGpu.attention = makeSpec("dense");
      onGpu.backend = "cuda";
      messages << errorOf([&] { runFromSpec(onGpu); });
    }
    CancelToken cancelled;
    cancelled.cancel();
    messages << errorOf([&] { checkCancelled(&cancelled); });
    // Loaders.
    write("bad.csv", "a,b\n1,2\n3,\"4\n");
    write("empty.csv", "");
    write("short.npy", QByteArray("\x93NUMPY\x01\x00", 8) + QByteArray(2, 'x'));
    QDir(dir.path()).mkdir("folder.csv");
    for (const char* name : {"bad.csv", "empty.csv", "short.npy", "folder.csv", "missing.csv"}) {
      const std::string path = dir.filePath(name).toStdString();
      messages << errorOf([&] { loadSequenceFile(path); });
    }
    // Writing: a lesson saved into a folder that is not there.
    messages << errorOf([&] { saveLessonFile(Lesson{}, dir.filePath("no/such/folder/lesson.json").toStdString()); });

    // Loaders' warnings: what they read differently from the file.
    auto warningsOf = [&](const QString& name, const LoadOptions& options = {}) {
      try {
        for (const std::string& w : loadSequenceFile(dir.filePath(name).toStdString(), options).warnings) messages << QString::fromStdString(w);
      } catch (const std::exception& e) {
        QFAIL(e.what());
      }
    };
    write("gaps.csv", "value\n1\nnan\n3\ninf\n5\n6\n");
    LoadOptions lenient;
    lenient.allowNonFinite = true;
    lenient.maxTokens = 4;
    warningsOf("gaps.csv", lenient);  // interpolated, non-finite kept, position cap
    LoadOptions skipping;
    skipping.missing = MissingPolicy::Skip;
    write("gaps2.csv", "value\n1\nnan\n3\n");
    warningsOf("gaps2.csv", skipping);
    write("genome.fa", ">chr1 test\nACGTacgt--..NN\nACGTACGTACGT\n");
    LoadOptions capped;
    capped.maxTokens = 10;
    warningsOf("genome.fa", capped);  // lower case, gaps, token cap
    write("latin1.txt", "caf\xe9 au lait et cr\xe8me");
    warningsOf("latin1.txt");
    write("mixed.txt", "d\xc3\xa9j\xc3\xa0 vu, caf\xe9 ici");
    LoadOptions pieces;
    pieces.chunkBytes = 8;  // the first piece is UTF-8, a later one is not
    warningsOf("mixed.txt", pieces);
    write("long.txt", QByteArray("word ").repeated(50));
    LoadOptions shortText;
    shortText.maxTokens = 8;
    warningsOf("long.txt", shortText);
    // .npy: one [H, n, d] array as Q, K and V; its NaN kept; a position cap.
    QByteArray npy("\x93NUMPY\x01\x00", 8);
    QByteArray header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 6, 2), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    npy += char(header.size() & 0xff);
    npy += char(header.size() >> 8);
    npy += header;
    std::vector<float> values(24, 0.5f);
    values[3] = std::nanf("");
    npy += QByteArray(reinterpret_cast<const char*>(values.data()), 96);
    write("qkv.npy", npy);
    LoadOptions tensors;
    tensors.allowNonFinite = true;
    tensors.maxTokens = 4;
    warningsOf("qkv.npy", tensors);
    // Named alike, three such arrays are paired as Q, K and V.
    QByteArray clean = npy;
    const float half = 0.5f;
    clean.replace(clean.size() - 96 + 12, 4, reinterpret_cast<const char*>(&half), 4);
    for (const char* name : {"attn_q.npy", "attn_k.npy", "attn_v.npy"}) write(name, clean);
    warningsOf("attn_q.npy");
    // A safetensors file whose one [H, n, d] tensor serves as Q, K and V.
    const QByteArray json = "{\"attn\":{\"dtype\":\"F32\",\"shape\":[2,4,2],\"data_offsets\":[0,64]}}";
    QByteArray st;
    const quint64 length = static_cast<quint64>(json.size());
    st.append(reinterpret_cast<const char*>(&length), 8);
    st += json;
    st += QByteArray(64, '\0');
    write("model.safetensors", st);
    warningsOf("model.safetensors");
    // Notes on runs and their analysis: every variant run once, and the cases that add their own.
    RunSpec small;
    small.n = 96;
    small.features.heads = 1;
    small.features.d = 8;
    auto notesOf = [&](const AttentionSpec& spec, int64_t n = 96, const std::string& backend = "", bool run = true) {
      RunSpec r = small;
      r.n = n;
      r.attention = spec;
      try {
        if (run)
          for (const HeadExtras& e : runFromSpec(r).result.extras)
            for (const std::string& note : e.notes) messages << QString::fromStdString(note);
        const Sequence seq = loadInput(r);
        const Qkv qkv = prepareQkv(r, seq);
        AnalysisRequest request;
        request.map = MapRequest{0, 0, -1, 0, -1, 64};
        request.backend = backend;
        for (const std::string& note : analyzeHead(spec, qkv, &seq.labels, request).notes) messages << QString::fromStdString(note);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString::fromStdString(spec.variant + ": " + e.what())));
      }
    };
    for (const Variant* v : VariantRegistry::instance().all()) notesOf(makeSpec(v->info().id));
    AttentionSpec wideK = makeSpec("linformer");
    wideK.params.set("k", "200");
    notesOf(wideK);
    AttentionSpec manySegments = makeSpec("memory_slots");
    manySegments.params.set("segment", "8");
    notesOf(manySegments, 4104);  // more than 256 segments, and past the provenance limit
    optional << "bf16: Q, K, V and P rounded to bf16, products accumulated in fp32 (%1); the map and spectrum use fp32 probabilities";
    if (cpuBf16Usable()) {
      AttentionSpec bf16 = makeSpec("sliding_window");
      bf16.precision = Precision::Bf16;
      notesOf(bf16);
    }
    AttentionSpec fp16 = makeSpec("sliding_window");
    fp16.precision = Precision::Fp16;
    notesOf(fp16, 96, "", false);  // no fp16 kernels on the cpu: the analysis forms A in fp32
    optional << "A computed on the cpu: %1" << "%1 is unavailable: %2";
    if (Backend* cuda = BackendRegistry::instance().find("cuda"); cuda && !cuda->status().available) notesOf(makeSpec("dense"), 96, "cuda");
    {
      // The provenance budget: the middle of three snapshots no longer fits.
      const int64_t n = (kMemorySlotsProvenanceBudget / 8) / 2 + 1;
      const Mat stored = Mat::Zero(8, n);
      std::vector<MemorySnapshot> snaps(3);
      for (MemorySnapshot& s : snaps) s.endToken = n;
      std::vector<std::string> notes;
      attachMemorySlotsProvenance(snaps, stored, n, 0.5, notes);
      for (const std::string& note : notes) messages << QString::fromStdString(note);
    }

    // A trace's host spans and thread names (kernel spans keep their names).
    {
      RunSpec traced = small;
      traced.attention = makeSpec("sliding_window");
      traced.warmup = 1;
      traced.repeats = 1;
      const RunResult run = runFromSpec(traced);
      QSet<QString> names;
      for (const Span& span : run.trace.spans)
        if (span.category == SpanCategory::Host) names.insert(QString::fromStdString(span.name));
      for (const auto& [track, name] : run.trace.trackNames) names.insert(QString::fromStdString(name));
      QVERIFY2(names.size() >= 6, qPrintable(QStringList(names.values()).join(", ")));
      for (const QString& name : names) messages << name;
    }

    // A run's own: a file shorter than n, and one cropped to n.
    for (int64_t n : {int64_t{100000}, int64_t{3}}) {
      RunSpec fromFile;
      fromFile.sample.clear();
      fromFile.inputFile = dir.filePath("long.txt").toStdString();
      fromFile.n = n;
      for (const std::string& w : loadInput(fromFile).warnings) messages << QString::fromStdString(w);
    }
  }

  // Every shape is a message the engine really writes, and every case above
  // found its shape (a case nobody translates would show in English).
  void everyShapeIsARealMessage() {
    if (qEnvironmentVariableIsSet("SHOW_MESSAGES"))
      for (const QString& m : messages) qInfo("%s", qPrintable(m.left(200)));
    QSet<QString> hit;
    for (const QString& m : messages) {
      const QStringList used = engineMessageShapesUsed(m);
      QVERIFY2(!used.isEmpty(), qPrintable("no shape for: " + m));
      for (const QString& s : used) hit.insert(s);  // parts that are messages count for their shapes too
    }
    for (const QString& s : engineMessageShapes())
      QVERIFY2(hit.contains(s) || optional.contains(s), qPrintable("no engine message has the shape: " + s));
  }

  void englishRebuildsTheMessageExactly() {
    for (const QString& m : messages) QCOMPARE(engineMessage(m), m);
    QCOMPARE(engineMessage(QStringLiteral("something new went wrong")), QStringLiteral("something new went wrong"));
  }

  void chineseRewordsAroundTheSameParts() {
    QTranslator zh;
    QVERIFY(zh.load(":/attnscope/translations/attnscope_zh_CN.qm"));
    QCoreApplication::installTranslator(&zh);
    for (const QString& m : messages) {
      const QString t = engineMessage(m);
      if (qEnvironmentVariableIsSet("SHOW_MESSAGES")) qInfo("%s", qPrintable(t.left(200)));
      QVERIFY2(t != m && hasCjk(t), qPrintable(m + " -> " + t));
      // The names and numbers survive: every quoted name and every number of the original.
      static const QRegularExpression quoted(QStringLiteral("'([^']{1,40})'")), number(QStringLiteral("\\d+"));
      for (auto it = quoted.globalMatch(m); it.hasNext();) {
        const QString part = it.next().captured(1);
        QVERIFY2(t.contains(part), qPrintable(QString("%1 lost '%2': %3").arg(m, part, t)));
      }
      for (auto it = number.globalMatch(m); it.hasNext();) {
        const QString part = it.next().captured(0);
        QVERIFY2(t.contains(part), qPrintable(QString("%1 lost %2: %3").arg(m, part, t)));
      }
    }
    // A part holding "%2" is not substituted again.
    const QString tricky = QStringLiteral("parameter 'x' = '%2' is not true or false");
    QVERIFY(engineMessage(tricky).contains("'%2'"));
    QCoreApplication::removeTranslator(&zh);
  }
};

QTEST_MAIN(TestEngineMessage)
#include "test_engine_message.moc"
