// The Chinese translation (resources/translations/attnscope_zh_CN.ts): every
// message translated and current, placeholders, plural forms, accelerators
// and shortcuts kept; the compiled-in .qm covers every word the engine's
// registry shows in the window.
#include <QtTest>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <algorithm>
#include <map>

#include "attention/registry.hpp"
#include "sequence/samples.hpp"

namespace {

const QString kTsFile = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/resources/translations/attnscope_zh_CN.ts");

struct Message {
  QString context, source, comment;
  QString type;          // "", "unfinished", "obsolete", "vanished"
  QStringList forms;     // the translation, or its numerus forms
  bool numerus = false;
};

std::vector<Message> readTs(const QString& path, QString* error) {
  std::vector<Message> out;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    *error = "cannot open " + path;
    return out;
  }
  QXmlStreamReader xml(&file);
  QString context;
  Message m;
  while (!xml.atEnd()) {
    xml.readNext();
    if (!xml.isStartElement()) {
      if (xml.isEndElement() && xml.name() == QLatin1String("message")) out.push_back(m);
      continue;
    }
    const auto name = xml.name();
    if (name == QLatin1String("name")) context = xml.readElementText();
    else if (name == QLatin1String("message")) {
      m = Message{};
      m.context = context;
      m.numerus = xml.attributes().value("numerus") == QLatin1String("yes");
    } else if (name == QLatin1String("source")) m.source = xml.readElementText();
    else if (name == QLatin1String("comment")) m.comment = xml.readElementText();
    else if (name == QLatin1String("translation")) {
      m.type = xml.attributes().value("type").toString();
      if (!m.numerus) m.forms << xml.readElementText();
    } else if (name == QLatin1String("numerusform")) m.forms << xml.readElementText();
  }
  if (xml.hasError()) *error = path + ": " + xml.errorString();
  return out;
}

// %1..%99, %L1, %n, %Ln as a sorted list (a placeholder used twice counts twice).
QStringList placeholders(const QString& text) {
  static const QRegularExpression re(QStringLiteral("%L?(\\d{1,2}|n)"));
  QStringList found;
  for (auto it = re.globalMatch(text); it.hasNext();) found << it.next().captured(0);
  found.sort();
  return found;
}

// The accelerator letter of "&File" (not "&&"), or a null QChar.
QChar accelerator(const QString& text) {
  for (qsizetype i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '&') continue;
    if (text[i + 1] == '&') {
      ++i;
      continue;
    }
    if (text[i + 1].isLetterOrNumber()) return text[i + 1];
  }
  return {};
}

bool hasCjk(const QString& text) {
  return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF; });
}

QString where(const Message& m) { return m.context + " / \"" + m.source.left(60) + "\""; }

}  // namespace

class TestTranslations : public QObject {
  Q_OBJECT

  std::vector<Message> messages_;

 private slots:
  void initTestCase() {
    QString error;
    messages_ = readTs(kTsFile, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(messages_.size() > 400, qPrintable(QString("only %1 messages").arg(messages_.size())));
  }

  void everyMessageIsTranslated() {
    for (const Message& m : messages_) {
      QVERIFY2(m.type != "unfinished", qPrintable("unfinished: " + where(m)));
      QVERIFY2(m.type != "obsolete" && m.type != "vanished", qPrintable("no longer in the sources (run scripts/update-translations.sh): " + where(m)));
      QVERIFY2(!m.forms.isEmpty(), qPrintable("no translation: " + where(m)));
      for (const QString& f : m.forms) QVERIFY2(!f.isEmpty(), qPrintable("empty translation: " + where(m)));
    }
  }

  void placeholdersAreKept() {
    for (const Message& m : messages_)
      for (const QString& f : m.forms)
        QVERIFY2(placeholders(f) == placeholders(m.source),
                 qPrintable(where(m) + ": " + placeholders(m.source).join(' ') + " became " + placeholders(f).join(' ')));
  }

  void pluralsHaveOneChineseForm() {
    int plurals = 0;
    for (const Message& m : messages_) {
      if (!m.numerus) continue;
      ++plurals;
      // Chinese has one plural form; lrelease reads exactly that many.
      QVERIFY2(m.forms.size() == 1, qPrintable(where(m)));
      QVERIFY2(m.forms[0].contains("%n") || m.forms[0].contains("%Ln"), qPrintable(where(m)));
    }
    QVERIFY(plurals > 0);
  }

  void acceleratorsAreKeptChineseStyle() {
    int accelerators = 0;
    for (const Message& m : messages_) {
      const QChar key = accelerator(m.source);
      if (key.isNull()) continue;
      ++accelerators;
      // "&File" -> "文件(&F)": the same key, after the words, in brackets.
      const QString expected = QStringLiteral("(&%1)").arg(key.toUpper());
      QVERIFY2(m.forms[0].contains(expected), qPrintable(where(m) + " should carry " + expected + ": " + m.forms[0]));
    }
    QVERIFY(accelerators >= 10);
  }

  void shortcutsStayAsTheyAre() {
    static const QRegularExpression shortcut(QStringLiteral("^(Ctrl|Shift|Alt|Meta)\\+\\S+$"));
    int shortcuts = 0;
    for (const Message& m : messages_) {
      if (!shortcut.match(m.source).hasMatch()) continue;
      ++shortcuts;
      QCOMPARE(m.forms[0], m.source);
    }
    QVERIFY(shortcuts >= 2);
  }

  void sentencesAreNotLeftInEnglish() {
    // A translation equal to its source is fine for units, names and file
    // patterns, never for words in a row.
    static const QRegularExpression words(QStringLiteral("[A-Za-z]{3,} [a-z]{3,}"));
    int chinese = 0;
    for (const Message& m : messages_) {
      if (hasCjk(m.forms[0])) ++chinese;
      else QVERIFY2(!words.match(m.forms[0]).hasMatch() || m.forms[0] != m.source, qPrintable("left in English: " + where(m)));
    }
    QVERIFY2(chinese * 10 >= static_cast<int>(messages_.size()) * 8, qPrintable(QString("%1 of %2 in Chinese").arg(chinese).arg(messages_.size())));
  }

  void engineWordsAreInTheCompiledTranslation() {
    QTranslator zh;
    QVERIFY(zh.load(QStringLiteral(":/attnscope/translations/attnscope_zh_CN.qm")));
    auto check = [&zh](const std::string& text, bool chinese) {
      if (text.empty()) return true;
      const QString t = zh.translate("engine", text.c_str());
      if (t.isEmpty()) qWarning("not translated (run scripts/update-translations.sh): \"%s\"", text.c_str());
      else if (chinese && !hasCjk(t)) qWarning("not Chinese: \"%s\" -> \"%s\"", text.c_str(), qPrintable(t));
      return !t.isEmpty() && (!chinese || hasCjk(t));
    };
    int checked = 0;
    for (const attnscope::Variant* v : attnscope::VariantRegistry::instance().all()) {
      const attnscope::VariantInfo& i = v->info();
      for (const std::string* s : {&i.title, &i.family, &i.useWhen, &i.loses}) QVERIFY(check(*s, true));
      for (const attnscope::ParamSpec& p : i.params) {
        QVERIFY(check(p.help, true));
        QVERIFY(check(p.unit, false));  // "tokens" reads "token" in Chinese
      }
      ++checked;
    }
    for (const attnscope::SampleInfo& s : attnscope::sampleList()) QVERIFY(check(s.description, true));
    QVERIFY(checked >= 10);
  }

  void windowStringsInTheCompiledTranslation() {
    QTranslator zh;
    QVERIFY(zh.load(QStringLiteral(":/attnscope/translations/attnscope_zh_CN.qm")));
    QCOMPARE(zh.language(), QString("zh_CN"));
    QCOMPARE(zh.translate("attnscope::MainWindow", "&File"), QString("文件(&F)"));
    QCOMPARE(zh.translate("attnscope::SpanTable", "%n span(s) covering %1, peak tracked memory %2", nullptr, 3).isEmpty(), false);
  }

  void theFileIsCurrent() {
    // lupdate over the sources gives exactly the messages of the file: a new
    // tr() string, or one gone, means scripts/update-translations.sh was not run.
    const QString lupdate = QStringLiteral(ATTNSCOPE_LUPDATE);
    if (!QFileInfo(lupdate).isExecutable()) QSKIP("lupdate is not installed (qt6-l10n-tools)");
    QTemporaryDir dir;
    const QString fresh = dir.filePath("fresh_zh_CN.ts");
    const QString root = QStringLiteral(ATTNSCOPE_SOURCE_DIR);
    QProcess p;
    p.setWorkingDirectory(root);
    p.start(lupdate, {"-silent", "-locations", "none", "app", "views", "resources/translations/engine_strings.cpp", "-ts", fresh});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QString error;
    const std::vector<Message> current = readTs(fresh, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QSet<QString> committed, sources;
    for (const Message& m : messages_) committed << m.context + '\x1f' + m.source + '\x1f' + m.comment;
    for (const Message& m : current) sources << m.context + '\x1f' + m.source + '\x1f' + m.comment;
    auto shown = [](const QString& key) { return key.section('\x1f', 0, 0) + " / \"" + key.section('\x1f', 1, 1) + "\""; };
    for (const QString& key : sources - committed) QFAIL(qPrintable("not in the .ts (run scripts/update-translations.sh): " + shown(key)));
    for (const QString& key : committed - sources) QFAIL(qPrintable("in the .ts but not in the sources: " + shown(key)));
  }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "test_translations.moc"
