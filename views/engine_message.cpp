#include "engine_message.hpp"

#include <QCoreApplication>
#include <QRegularExpression>
#include <algorithm>
#include <vector>

namespace attnscope {

namespace {


// More specific shapes first: "%1: line %2: %3" would also match a message
// that merely contains ": line ".
struct Shape {
  const char* text;
  std::vector<int> nested;  // parts that are messages themselves
};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {
      // Memory guard (core/experiment/run.cpp) and the phrases it is built from.
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "memory guard: %1 would need %2 but the budget is %3 (%4); nothing was allocated"), {1, 4}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1 at n = %2, heads = %3, d = %4 (input and Q/K/V)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1 at n = %2, heads = %3, d = %4"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1 at n = %2"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "host memory"), {}},
      // Parameters (core/attention/params.cpp).
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' = %2 is out of range: allowed %3"), {3}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' = '%2' is not an integer (allowed %3)"), {3}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' = '%2' is not a number (allowed %3)"), {3}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' = '%2' is not true or false"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' = '%2' is not a comma-separated list of indices ('%3')"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' lists more than 1000000 indices"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "parameter '%1' is not a valid regular expression: %2"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "comma-separated indices in [%1, %2]"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "one of %1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "unknown parameter '%1' (this variant takes no parameters)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "unknown parameter '%1' (known: %2)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "unknown variant '%1' (known: %2)"), {}},
      // Variants' own checks.
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "longformer: global_indices holds %1, outside the sequence [0, %2] (n = %3)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "topk_dynamic: topk and local_blocks are both 0, so no query would attend anything; set topk >= 1 or local_blocks >= 1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "memory_slots reads its slots as keys and as values, so V must be as wide as Q and K (d = %1, dv = %2)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "linformer has no causal form: its projections E K and F V mix every position, later ones included"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1 has no causal form"), {}},
      // Runs and inputs.
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "n must be in [1, %1], got %2"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "sample length %1 exceeds the limit of %2 tokens"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "unknown sample '%1' (known: %2)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "backend '%1' is not available: %2"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "backend '%1': %2"), {2}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "cancelled"), {}},
      // Loaders (core/sequence/load_errors.hpp and the file source).
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: line %2: %3"), {3}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: at byte %2: %3"), {3}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: cannot open file (%2)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: not a regular file"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: file is empty"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: cannot open for writing"), {}},
      // Loaders' and runs' warnings: what was read differently from the file.
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: kept the first %2 of %3 positions (the position cap)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: %2 non-finite values kept (first at byte %3)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: %2 non-finite values kept (allowed by the options)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: read as %2 with partners %3 and %4"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: one [H, n, d] array used as Q, K and V (give --role q|k|v with partner files to pair them)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: tensor %2 used as Q, K and V"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: record '%2' stopped at the token cap of %3"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: %2 lower-case (soft-masked) bases read as upper case"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: %2 gap characters ('-', '.', '*') skipped"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: %2 missing values interpolated"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: %2 rows with missing values skipped"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: stopped at the position cap of %2"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: stopped at the token cap of %2; the rest of the file was not read"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: not valid UTF-8 (at byte %2); read as Latin-1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1: invalid UTF-8 at byte %2; such bytes were read as Latin-1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "input has %1 positions, fewer than n = %2; using all of them"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "cropped to the first %1 of %2 positions (n)"), {}},
      // Notes on a run or its analysis: how to read what is shown.
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "transformer_xl is causal by construction (its memory holds earlier positions only)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "gaussian F: rows of the map need not be non-negative or sum to 1 (A = softmax(s Q (E K)^T) F)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "k = %1 exceeds n = %2; used k = %3"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "bf16: Q, K, V and P rounded to bf16, products accumulated in fp32 (%1); the map and spectrum use fp32 probabilities"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "map shows the token-to-token part (slot weights folded onto tokens through provenance)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "memory trace keeps one segment in %1 (at most %2 snapshots)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "provenance omitted from the memory trace for n > %1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "provenance kept for the earlier snapshots and the last one only (size budget)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "A computed on the cpu: %1"), {1}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "%1 is unavailable: %2"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "A formed in fp32 on the cpu (%1)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "no token pair is scored one by one (A is formed through factors), so the computed-pair mask is empty"), {}},
      // The host's spans and the threads of a trace (kernel spans keep their names, as a profiler shows them).
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "load input"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "featurize (embeddings, Q/K/V projections)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "warm-up %1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "repeat %1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "head %1"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "host (runs and heads)"), {}},
      {QT_TRANSLATE_NOOP("attnscope::EngineMessage", "worker %1 phase totals"), {}},
  };
  return all;
}

// A shape made ready to match: "parameter '%1' = %2" -> ^parameter '(.+?)' = (.+?)$,
// with the part numbers in the order they appear.
struct Compiled {
  const Shape* shape;
  QRegularExpression pattern;
  std::vector<int> parts;
};

const std::vector<Compiled>& compiled() {
  static const std::vector<Compiled> all = [] {
    std::vector<Compiled> out;
    static const QRegularExpression placeholder(QStringLiteral("%(\\d)"));
    for (const Shape& s : shapes()) {
      const QString text = QString::fromUtf8(s.text);
      QString pattern = QStringLiteral("^");
      Compiled c{&s, {}, {}};
      qsizetype at = 0;
      for (auto it = placeholder.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        pattern += QRegularExpression::escape(text.mid(at, m.capturedStart() - at)) + QStringLiteral("(.+?)");
        c.parts.push_back(m.captured(1).toInt());
        at = m.capturedEnd();
      }
      pattern += QRegularExpression::escape(text.mid(at)) + QStringLiteral("$");
      c.pattern = QRegularExpression(pattern, QRegularExpression::DotMatchesEverythingOption);
      out.push_back(std::move(c));
    }
    return out;
  }();
  return all;
}

QString translate(const QString& message, int depth, QStringList* used = nullptr) {
  if (message.isEmpty() || depth > 4) return message;
  for (const Compiled& c : compiled()) {
    const auto m = c.pattern.match(message);
    if (!m.hasMatch()) continue;
    if (used) used->append(QString::fromUtf8(c.shape->text));
    QStringList parts(10);
    for (size_t p = 0; p < c.parts.size(); ++p) {
      const int number = c.parts[p];
      const QString part = m.captured(static_cast<int>(p) + 1);
      const bool nested = std::find(c.shape->nested.begin(), c.shape->nested.end(), number) != c.shape->nested.end();
      parts[number] = nested ? translate(part, depth + 1, used) : part;
    }
    const QString out = QCoreApplication::translate("attnscope::EngineMessage", c.shape->text);
    // One pass over the template, so a part holding "%2" is never substituted again.
    QString result;
    for (qsizetype i = 0; i < out.size(); ++i) {
      if (out[i] == '%' && i + 1 < out.size() && out[i + 1].isDigit()) {
        result += parts[out[i + 1].digitValue()];
        ++i;
      } else {
        result += out[i];
      }
    }
    return result;
  }
  return message;
}

}  // namespace

QString engineMessage(const QString& message) { return translate(message, 0); }

QString engineMessage(const std::string& message) { return translate(QString::fromStdString(message), 0); }

QString engineMessage(const char* message) { return translate(QString::fromUtf8(message), 0); }

const EngineMessageCache::Entry& EngineMessageCache::entry(const std::string& message) {
  auto it = entries_.find(message);
  if (it == entries_.end()) {
    const QString text = engineMessage(message);
    it = entries_.emplace(message, Entry{text, text.toStdString()}).first;
  }
  return it->second;
}

QStringList engineMessageShapes() {
  QStringList out;
  for (const Shape& s : shapes()) out << QString::fromUtf8(s.text);
  return out;
}

QStringList engineMessageShapesUsed(const QString& message) {
  QStringList used;
  translate(message, 0, &used);
  return used;
}

}  // namespace attnscope
