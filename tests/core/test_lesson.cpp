// Lessons as files: every shipped lesson reads, texts fall back to English,
// presets are checked against the registry, and every mistake names the
// file, the step and the field.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "lesson/lesson.hpp"

using namespace attnscope;

namespace {

// JSON written with single quotes (kept readable in C++ strings).
std::string q(std::string text) {
  std::replace(text.begin(), text.end(), '\'', '"');
  return text;
}

QString qs(const std::string& text) { return QString::fromStdString(q(text)); }

// The message of the Error that parsing `json` throws, or "" when it parses.
QString problemOf(const std::string& json) {
  try {
    parseLesson(json, "t.json");
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return QString();
}

std::string oneStep(const std::string& stepFields) {
  return q("{'title': 'T', 'steps': [{'title': 'S', 'text': 'X'") + std::string(stepFields.empty() ? "" : ", ") + stepFields + "}]}";
}

}  // namespace

class TestLesson : public QObject {
  Q_OBJECT

 private slots:
  void shippedLessonsRead() {
    const QDir dir(QString(ATTNSCOPE_SOURCE_DIR) + "/resources/lessons");
    const QStringList files = dir.entryList({"*.json"}, QDir::Files);
    QVERIFY(files.size() >= 3);
    for (const QString& name : files) {
      const Lesson lesson = loadLessonFile(dir.filePath(name).toStdString());
      QVERIFY2(!lesson.steps.empty(), qPrintable(name));
      QCOMPARE(QString::fromStdString(lesson.id) + ".json", name);
      // Every shipped text is in English and Chinese, and the Chinese is Chinese.
      for (const LessonStep& s : lesson.steps)
        for (const LocalText* t : {&s.title, &s.text}) {
          QVERIFY2(t->byLanguage.count("en") && t->byLanguage.count("zh_CN"), qPrintable(name));
          QVERIFY2(QString::fromStdString(t->in("zh_CN")).contains(QRegularExpression("[\\x{4e00}-\\x{9fff}]")), qPrintable(name));
        }
    }
  }

  // lessonToJson writes what parseLesson reads: every shipped lesson and one
  // with every kind of parameter and Chinese text come back as they were.
  void writtenLessonsReadBack() {
    auto same = [](const Lesson& a, const Lesson& b) -> QString {
      auto texts = [](const LocalText& t) { return t.byLanguage; };
      if (a.id != b.id || texts(a.title) != texts(b.title) || texts(a.summary) != texts(b.summary)) return "lesson fields";
      if (a.steps.size() != b.steps.size()) return "step count";
      for (size_t k = 0; k < a.steps.size(); ++k) {
        const LessonStep &x = a.steps[k], &y = b.steps[k];
        const QString where = QString("step %1: ").arg(k + 1);
        if (texts(x.title) != texts(y.title) || texts(x.text) != texts(y.text)) return where + "text";
        if (x.view != y.view || x.run != y.run) return where + "view or run";
        if (nlohmann::json::parse(x.pageState.empty() ? "{}" : x.pageState) != nlohmann::json::parse(y.pageState.empty() ? "{}" : y.pageState)) return where + "page_state";
        const LessonPreset &p = x.preset, &r = y.preset;
        if (p.sample != r.sample || p.n != r.n || p.heads != r.heads || p.d != r.d || p.causal != r.causal) return where + "preset";
        if (p.variants.size() != r.variants.size()) return where + "variant count";
        for (size_t v = 0; v < p.variants.size(); ++v)
          if (p.variants[v].variant != r.variants[v].variant || p.variants[v].params.describe() != r.variants[v].params.describe()) return where + "variant";
      }
      return {};
    };
    std::vector<Lesson> lessons;
    const QDir dir(QString(ATTNSCOPE_SOURCE_DIR) + "/resources/lessons");
    for (const QString& name : dir.entryList({"*.json"}, QDir::Files)) lessons.push_back(loadLessonFile(dir.filePath(name).toStdString()));
    Lesson mine;
    mine.id = "mine";
    mine.title.byLanguage = {{"en", "Quotes \" and \\ in a title"}, {"zh_CN", "我的课程"}};
    LessonStep step;
    step.title.byLanguage = {{"zh_CN", "全局 token"}};
    step.text.byLanguage = {{"zh_CN", "第一行\n第二行：拖动滑块。"}};
    step.preset.sample = "dna";
    step.preset.n = 777;
    step.preset.heads = 3;
    step.preset.d = 48;
    step.preset.causal = false;
    AttentionSpec lf = makeSpec("longformer"), memory = makeSpec("memory_slots"), performer = makeSpec("performer");
    lf.params.set("global_indices", "3,17,256");
    lf.params.set("global_pattern", "[.!?。]");
    memory.params.set("gate", "0.25");
    performer.params.set("orthogonal", "false");
    step.preset.variants = {lf, memory, performer, makeSpec("dense")};
    step.view = "explorer";
    step.pageState = "{\"variant\":\"longformer\"}";
    step.run = true;
    mine.steps.push_back(step);
    lessons.push_back(mine);
    for (const Lesson& lesson : lessons) {
      const std::string text = lessonToJson(lesson);
      Lesson back;
      try {
        back = parseLesson(text, "written.json");
      } catch (const Error& e) {
        QFAIL(qPrintable(QString::fromStdString(lesson.id + ": " + e.what() + "\n" + text)));
      }
      const QString difference = same(lesson, back);
      QVERIFY2(difference.isEmpty(), qPrintable(QString::fromStdString(lesson.id) + ": " + difference + "\n" + QString::fromStdString(text)));
    }
    // Defaults are left out: dense is written as its id alone.
    QVERIFY(QString::fromStdString(lessonToJson(mine)).contains("\"dense\""));
    QVERIFY(!QString::fromStdString(lessonToJson(mine)).contains("\"window\""));
    // And to a file.
    QTemporaryDir dir2;
    const std::string path = dir2.filePath("mine.json").toStdString();
    saveLessonFile(mine, path);
    QCOMPARE(same(loadLessonFile(path), mine), QString());
    bool refused = false;
    try {
      saveLessonFile(mine, dir2.filePath("no/such/folder/x.json").toStdString());
    } catch (const Error& e) {
      refused = QString(e.what()).contains("cannot open for writing");
    }
    QVERIFY(refused);
  }

  void stepsPresetsAndText() {
    const Lesson l = parseLesson(q("{\n"
        "      'title': {'en': 'Windows', 'zh_CN': '窗口'},\n"
        "      'steps': [\n"
        "        {'title': 'One', 'text': {'en': 'Dense.', 'zh': '稠密。'},\n"
        "         'preset': {'sample': 'dna', 'n': 2048, 'heads': 2, 'd': 16, 'causal': true,\n"
        "                    'variants': ['dense', {'id': 'sliding_window', 'params': {'window': 8, 'dilation': 2}},\n"
        "                                 {'id': 'longformer', 'params': {'global_indices': [3, 9]}}]},\n"
        "         'view': 'explorer', 'page_state': {'variant': 'sliding_window'}, 'run': true},\n"
        "        {'title': 'Two', 'text': 'Only English.'}\n"
        "      ]}"), "lessons/windows.json");
    QCOMPARE(l.id, std::string("windows"));  // from the file name
    QCOMPARE(l.title.in("zh_CN"), std::string("窗口"));
    QCOMPARE(l.title.in("fr"), std::string("Windows"));
    QCOMPARE(l.steps.size(), size_t(2));
    const LessonStep& s = l.steps[0];
    QCOMPARE(s.text.in("zh_CN"), std::string("稠密。"));  // "zh" serves zh_CN
    QCOMPARE(*s.preset.sample, std::string("dna"));
    QCOMPARE(*s.preset.n, int64_t(2048));
    QCOMPARE(*s.preset.heads, 2);
    QCOMPARE(*s.preset.d, 16);
    QVERIFY(*s.preset.causal);
    QCOMPARE(s.preset.variants.size(), size_t(3));
    QCOMPARE(s.preset.variants[1].params.getInt("window"), int64_t(8));
    QCOMPARE(s.preset.variants[1].params.getInt("dilation"), int64_t(2));
    QCOMPARE(s.preset.variants[2].params.getIndexList("global_indices"), (std::vector<int64_t>{3, 9}));
    QCOMPARE(s.view, std::string("explorer"));
    QCOMPARE(s.pageState, std::string(q("{'variant':'sliding_window'}")));
    QVERIFY(s.run);
    QCOMPARE(l.steps[1].text.in("zh_CN"), std::string("Only English."));
    QCOMPARE(l.steps[1].view, std::string("compare"));
    QVERIFY(l.steps[1].preset.variants.empty());
  }

  void mistakesNameTheirPlace_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << "{\"title\": " << "t.json: not valid JSON";
    QTest::newRow("no steps") << qs("{'title': 'T'}") << "\"steps\"";
    QTest::newRow("no title") << qs("{'steps': [{'title': 'S', 'text': 'X'}]}") << "missing \"title\"";
    QTest::newRow("unknown top field") << qs("{'title': 'T', 'stpes': []}") << "stpes: unknown field";
    QTest::newRow("step without text") << qs("{'title': 'T', 'steps': [{'title': 'S'}]}") << "step 1: missing \"text\"";
    QTest::newRow("unknown step field") << QString::fromStdString(oneStep(q("'veiw': 'compare'"))) << "step 1.veiw: unknown field";
    QTest::newRow("unknown variant") << QString::fromStdString(oneStep(q("'preset': {'variants': ['slidingwindow']}")))
                                     << "step 1.preset.variants.1: unknown variant 'slidingwindow' (known: dense";
    QTest::newRow("bad parameter") << QString::fromStdString(oneStep(q("'preset': {'variants': [{'id': 'sliding_window', 'params': {'window': -3}}]}")))
                                   << "step 1.preset.variants.1.params.window:";
    QTest::newRow("unknown parameter") << QString::fromStdString(oneStep(q("'preset': {'variants': [{'id': 'dense', 'params': {'window': 3}}]}")))
                                       << "params.window";
    QTest::newRow("n too large") << QString::fromStdString(oneStep(q("'preset': {'n': 99999999999}"))) << "step 1.preset.n: 99999999999 outside";
    QTest::newRow("n not integer") << QString::fromStdString(oneStep(q("'preset': {'n': 'many'}"))) << "step 1.preset.n: expected an integer";
    QTest::newRow("unknown sample") << QString::fromStdString(oneStep(q("'preset': {'sample': 'poem'}"))) << "unknown sample 'poem' (samples: document";
    QTest::newRow("causal linformer") << QString::fromStdString(oneStep(q("'preset': {'causal': true, 'variants': ['linformer']}")))
                                      << "step 1.preset.causal: linformer has no causal form";
    QTest::newRow("page state not object") << QString::fromStdString(oneStep(q("'page_state': 'bigbird'"))) << "step 1.page_state: expected an object";
    QTest::newRow("text not string") << QString::fromStdString(oneStep(q("'title': {'en': 3}"))) << "step 1.title.en: expected a string";
  }

  void mistakesNameTheirPlace() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const QString problem = problemOf(json.toStdString());
    QVERIFY2(problem.contains(expected), qPrintable(QString("got: '%1', wanted '%2'").arg(problem, expected)));
  }

  void filesAreBounded() {
    QTemporaryDir dir;
    QVERIFY_THROWS_EXCEPTION(Error, loadLessonFile(dir.filePath("missing.json").toStdString()));
    const std::string big = dir.filePath("big.json").toStdString();
    {
      std::ofstream out(big);
      out << q("{'title': '") << std::string(2 << 20, 'x') << q("'}");
    }
    try {
      loadLessonFile(big);
      QFAIL("a 2 MiB lesson was read");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::TooLarge);
      QVERIFY(QString(e.what()).contains("1 MiB"));
    }
  }
};

QTEST_MAIN(TestLesson)
#include "test_lesson.moc"
