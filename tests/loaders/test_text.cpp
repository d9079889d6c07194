// Text loader: encodings, token modes, streaming, caps and hostile input (issue 6).
#include <QtTest>

#include <algorithm>

#include "loader_fixtures.hpp"
#include "sequence/source.hpp"

using namespace attnscope;
using namespace attnscope::testing;

class TestText : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  LoadOptions textOptions() {
    LoadOptions o;
    o.format = FileFormat::Text;
    return o;
  }

 private slots:
  void wordsAndPunctuation() {
    const auto path = writeFixture(dir_, "a.txt", "Hello, world! Don't panic.\n");
    const Sequence s = loadSequenceFile(path);
    QCOMPARE(s.kind, SequenceKind::Text);
    const std::vector<std::string> want = {"Hello", ",", "world", "!", "Don't", "panic", "."};
    QCOMPARE(s.labels, want);
    QVERIFY(s.warnings.empty());
  }

  void chineseSplitsIntoWords() {
    // No spaces in Chinese: words come from the dictionary, punctuation is its own token.
    const std::string text = "北京大学的研究人员发现，注意力机制可以处理很长的文本。第3.2条规定了合同的期限。";
    const Sequence s = loadSequenceFile(writeFixture(dir_, "zh.txt", text));
    std::string joined;
    for (const std::string& t : s.labels) joined += t;
    QCOMPARE(joined, text);  // nothing lost, nothing added
    auto has = [&](const std::string& t) { return std::find(s.labels.begin(), s.labels.end(), t) != s.labels.end(); };
    QVERIFY(has("注意力"));
    QVERIFY(has("机制"));
    QVERIFY(has("，"));
    QVERIFY(has("。"));
    QVERIFY(has("3.2"));
    QVERIFY2(s.labels.size() >= 20, "a sentence of 20-odd words must not load as one token");
    // Repeated words are equal tokens (the featurizer ties them).
    QCOMPARE(std::count(s.labels.begin(), s.labels.end(), std::string("的")), std::ptrdiff_t{3});
  }

  void japaneseAndMixedScripts() {
    const Sequence s = loadSequenceFile(writeFixture(dir_, "ja.txt", "AttnScope：東京で会議があります。"));
    QCOMPARE(s.labels.front(), std::string("AttnScope"));
    QCOMPARE(s.labels[1], std::string("："));
    QCOMPARE(s.labels[2], std::string("東京"));
    QCOMPARE(s.labels.back(), std::string("。"));
  }

  void characterMode() {
    LoadOptions o = textOptions();
    o.textMode = TextMode::Chars;
    const Sequence s = loadSequenceFile(writeFixture(dir_, "c.txt", "注意 力\nab"), o);
    const std::vector<std::string> want = {"注", "意", "力", "a", "b"};
    QCOMPARE(s.labels, want);
    QCOMPARE(parseTextMode("chars"), TextMode::Chars);
  }

  void utf8WithBomAndWithout() {
    const std::string body = "Caf\xC3\xA9 \xE6\x9D\xB1\xE4\xBA\xAC ok";
    const Sequence plain = loadSequenceFile(writeFixture(dir_, "u.txt", body));
    const Sequence bom = loadSequenceFile(writeFixture(dir_, "ubom.txt", "\xEF\xBB\xBF" + body));
    QCOMPARE(plain.labels, bom.labels);
    QCOMPARE(plain.labels.front(), std::string("Caf\xC3\xA9"));
    QVERIFY(plain.warnings.empty());
  }

  void latin1FallbackWarns() {
    const Sequence s = loadSequenceFile(writeFixture(dir_, "l1.txt", "Caf\xE9 na\xEFve"));
    QCOMPARE(s.labels.front(), std::string("Caf\xC3\xA9"));  // decoded to UTF-8
    QCOMPARE(s.labels.back(), std::string("na\xC3\xAFve"));
    QVERIFY(hasWarning(s, "read as Latin-1"));
  }

  void invalidBytesLaterAreReadAsLatin1() {
    LoadOptions o = textOptions();
    o.chunkBytes = 16;
    const std::string text = "plain ascii words here and more words " + std::string("then \xFF end\n");
    const Sequence s = loadSequenceFile(writeFixture(dir_, "mixed.txt", text), o);
    QVERIFY(hasWarning(s, "invalid UTF-8 at byte 43"));
    QCOMPARE(s.labels[s.labels.size() - 2], std::string("\xC3\xBF"));
  }

  void byteMode() {
    LoadOptions o = textOptions();
    o.textMode = TextMode::Bytes;
    const Sequence s = loadSequenceFile(writeFixture(dir_, "b.txt", "ab c\n\xC3\xA9"), o);
    const std::vector<std::string> want = {"a", "b", "\xE2\x90\xA3", "c", "\\n", "\\xC3", "\\xA9"};
    QCOMPARE(s.labels, want);
  }

  void tokenCapStopsAndWarns() {
    LoadOptions o = textOptions();
    o.maxTokens = 3;
    const Sequence s = loadSequenceFile(writeFixture(dir_, "cap.txt", "one two three four five"), o);
    QCOMPARE(s.labels.size(), size_t{3});
    QVERIFY(hasWarning(s, "token cap of 3"));
    o.maxTokens = 5;  // exactly the number of tokens: no warning
    QVERIFY(loadSequenceFile(writeFixture(dir_, "cap.txt", "one two three four five"), o).warnings.empty());
  }

  void chunkSizeDoesNotChangeTokens() {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "w\xC3\xA9rd" + std::to_string(i) + (i % 7 ? ", " : ".\n") + "\xE6\x9D\xB1 ";
    const auto path = writeFixture(dir_, "chunks.txt", text);
    const Sequence whole = loadSequenceFile(path);
    for (size_t chunk : {1, 2, 3, 7, 64}) {
      LoadOptions o = textOptions();
      o.chunkBytes = chunk;
      QCOMPARE(loadSequenceFile(path, o).labels, whole.labels);
    }
  }

  void longFileIsStreamedToTheCap() {
    // 4 MiB of text, capped at 1000 tokens: the loader reads only the first chunks.
    std::string text;
    while (text.size() < (4u << 20)) text += "alpha beta gamma delta\n";
    LoadOptions o = textOptions();
    o.maxTokens = 1000;
    const Sequence s = loadSequenceFile(writeFixture(dir_, "long.txt", text), o);
    QCOMPARE(s.labels.size(), size_t{1000});
    QCOMPARE(s.labels[999], std::string("delta"));
  }

  void runWithoutSpacesIsCut() {
    std::string text(3u << 20, 'x');
    const Sequence s = loadSequenceFile(writeFixture(dir_, "run.txt", text));
    size_t total = 0;
    for (const auto& l : s.labels) total += l.size();
    QCOMPARE(total, text.size());
    QVERIFY(s.labels.size() >= 3);
  }

  void hostile() {
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "empty.txt", "")), ErrorKind::Format, "empty.txt", "empty");
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "ws.txt", " \n\t\n")), ErrorKind::Format, "ws.txt", "no tokens");
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "nul.txt", std::string("text\0junk", 9))), ErrorKind::Format, "nul.txt", "at byte 4", "NUL");
    std::string junk;
    for (int i = 0; i < 400; ++i) junk += static_cast<char>(1 + (i * 37) % 255);
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "junk.txt", junk)), ErrorKind::Format, "junk.txt", "binary data");
    EXPECT_LOAD_ERROR(loadSequenceFile(writeFixture(dir_, "u16.txt", "\xFF\xFEh\0i\0")), ErrorKind::Unsupported, "u16.txt", "UTF-16");
    EXPECT_LOAD_ERROR(loadSequenceFile(dir_.filePath("missing.txt").toStdString()), ErrorKind::Io, "missing.txt", "cannot open");
    EXPECT_LOAD_ERROR(loadSequenceFile(dir_.path().toStdString()), ErrorKind::Io, "not a regular file");
  }
};

QTEST_APPLESS_MAIN(TestText)
#include "test_text.moc"
