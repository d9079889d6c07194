// CSV/TSV time series: delimiter sniffed (',', tab, ';', '|') or given,
// header detected or given, one numeric column chosen by name or 0-based
// index, missing values skipped, interpolated or refused. Numbers are parsed
// with from_chars ('.' decimal point whatever the locale). Streams the file
// line by line and stops at the position cap.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/parse.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/loader.hpp"
#include "sequence/source.hpp"
#include "sequence/timeseries_features.hpp"

namespace attnscope {

namespace {

constexpr size_t kMaxLineBytes = 1 << 20;
constexpr size_t kSniffLines = 20;
constexpr size_t kMaxLabelBytes = 40;

class LineReader {
 public:
  LineReader(Source& source, size_t chunkBytes, uint64_t start) : source_(source), reader_(source, chunkBytes, start) {}

  // The next line without its terminator; false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    bool any = false;
    while (true) {
      if (pos_ >= chunk_.size()) {
        chunk_ = reader_.next();
        pos_ = 0;
        if (chunk_.empty()) return any ? finishLine(line) : false;
      }
      any = true;
      const size_t nl = chunk_.find('\n', pos_);
      const size_t end = nl == std::string_view::npos ? chunk_.size() : nl;
      if (line.size() + (end - pos_) > kMaxLineBytes)
        failAtLine(ErrorKind::Format, source_.name(), lineNo_ + 1, "line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
      line.append(chunk_.substr(pos_, end - pos_));
      pos_ = end;
      if (nl != std::string_view::npos) {
        ++pos_;
        return finishLine(line);
      }
    }
  }
  uint64_t lineNo() const { return lineNo_; }

 private:
  bool finishLine(std::string& line) {
    ++lineNo_;
    if (line.find('\0') != std::string::npos) failAtLine(ErrorKind::Format, source_.name(), lineNo_, "binary data (NUL byte)");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }

  Source& source_;
  ChunkReader reader_;
  std::string_view chunk_;
  size_t pos_ = 0;
  uint64_t lineNo_ = 0;
};

struct Line {
  std::string text;
  uint64_t number;
};

// Splits on the delimiter, honouring "quoted, fields" with "" escapes.
std::vector<std::string> splitFields(const std::string& line, char delim, const std::string& file, uint64_t lineNo) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && trim(fields.back()).empty()) {
      fields.back().clear();
      quoted = true;
    } else if (delim && c == delim) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) failAtLine(ErrorKind::Format, file, lineNo, "unterminated quoted field (fields spanning lines are not supported)");
  return fields;
}

enum class Cell { Number, Missing, NonFinite, OutOfRange, NotNumber };

Cell classify(std::string_view text, double& value) {
  text = trim(text);
  static const char* const kMissing[] = {"", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "-nan", "null", "NULL", "None", "none", "-", "?"};
  for (const char* m : kMissing)
    if (text == m) return Cell::Missing;
  if (auto v = parseDouble(text)) {
    value = *v;
    if (std::isnan(value)) return Cell::Missing;
    return std::isfinite(value) ? Cell::Number : Cell::NonFinite;
  }
  const bool numeric = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  });
  return numeric && text.find_first_of("0123456789") != std::string_view::npos ? Cell::OutOfRange : Cell::NotNumber;
}

bool isNumeric(std::string_view text) {
  double v;
  const Cell c = classify(text, v);
  return c == Cell::Number || c == Cell::NonFinite || c == Cell::OutOfRange;
}

// The delimiter that splits the first line into the most fields, as long as
// most of the other lines agree on that count.
char sniffDelimiter(const std::vector<Line>& lines, const std::string& file) {
  char best = 0;
  size_t bestFields = 1;
  for (char cand : {'\t', ',', ';', '|'}) {
    const size_t fields = splitFields(lines[0].text, cand, file, lines[0].number).size();
    size_t agree = 0;
    for (const Line& l : lines) agree += splitFields(l.text, cand, file, l.number).size() == fields ? 1 : 0;
    if (fields > bestFields && agree * 2 > lines.size()) {
      best = cand;
      bestFields = fields;
    }
  }
  return best;
}

}  // namespace

Sequence loadCsv(Source& source, const LoadOptions& options) {
  const std::string& file = source.name();
  if (source.size() == 0) failFile(ErrorKind::Format, file, "file is empty");
  if (options.maxTokens < 1) failFile(ErrorKind::InvalidArgument, file, "token cap must be at least 1");
  const uint64_t start = source.readSome(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  LineReader reader(source, options.chunkBytes, start);

  // The first lines decide the delimiter, the header and the column.
  std::vector<Line> head;
  std::string text;
  while (head.size() < kSniffLines && reader.next(text)) {
    const std::string_view t = trim(text);
    if (t.empty() || t.front() == '#') continue;
    head.push_back({text, reader.lineNo()});
  }
  if (head.empty()) failFile(ErrorKind::Format, file, "no data lines");
  const char delim = options.csvDelimiter ? options.csvDelimiter : sniffDelimiter(head, file);

  std::vector<std::vector<std::string>> headFields;
  for (const Line& l : head) headFields.push_back(splitFields(l.text, delim, file, l.number));

  bool hasHeader = options.csvHeader == HeaderMode::Present;
  if (options.csvHeader == HeaderMode::Auto) {
    // A header is a first row with a non-number where later rows have numbers.
    const auto& first = headFields[0];
    for (size_t j = 0; j < first.size() && !hasHeader; ++j) {
      double v;
      if (classify(first[j], v) != Cell::NotNumber) continue;
      if (headFields.size() == 1) hasHeader = true;
      for (size_t r = 1; r < headFields.size() && !hasHeader; ++r) hasHeader = j < headFields[r].size() && isNumeric(headFields[r][j]);
    }
  }
  std::vector<std::string> names;
  if (hasHeader) {
    for (const auto& f : headFields[0]) names.emplace_back(trim(f));
    head.erase(head.begin());
    headFields.erase(headFields.begin());
  }

  size_t column = 0;
  std::string columnName;
  if (!options.csvColumn.empty()) {
    auto it = std::find(names.begin(), names.end(), options.csvColumn);
    if (it != names.end()) {
      column = static_cast<size_t>(it - names.begin());
    } else if (auto idx = parseInt(options.csvColumn)) {
      if (*idx < 0) failFile(ErrorKind::InvalidArgument, file, "column index must be at least 0, got " + options.csvColumn);
      column = static_cast<size_t>(*idx);
    } else {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + quoteForMessage(n);
      failFile(ErrorKind::InvalidArgument, file, "no column named " + quoteForMessage(options.csvColumn) + (names.empty() ? " (the file has no header)" : " (columns: " + list + ")"));
    }
  } else {
    // The first column holding mostly numbers in the sniffed rows (a stray
    // word later is then reported on its own line).
    bool found = false;
    const size_t width = headFields.empty() ? names.size() : headFields[0].size();
    for (size_t j = 0; j < width && !found; ++j) {
      size_t numbers = 0, words = 0;
      for (const auto& row : headFields) {
        double v;
        const Cell c = j < row.size() ? classify(row[j], v) : Cell::Missing;
        numbers += c == Cell::Number || c == Cell::NonFinite ? 1 : 0;
        words += c == Cell::NotNumber ? 1 : 0;
      }
      if (numbers > 0 && numbers > words) {
        column = j;
        found = true;
      }
    }
    if (!found) failFile(ErrorKind::Format, file, "no numeric column in the first " + std::to_string(head.size()) + " data lines (choose one with --column)");
  }
  if (!names.empty() && column >= names.size())
    failFile(ErrorKind::InvalidArgument, file, "column index " + std::to_string(column) + " but the header has " + std::to_string(names.size()) + " columns");
  columnName = column < names.size() ? names[column] : "column " + std::to_string(column);

  const size_t cap = static_cast<size_t>(options.maxTokens);
  std::vector<double> values;
  std::vector<std::string> labels;
  bool useTimeLabels = false, capped = false;
  size_t nonFinite = 0, missing = 0, row = 0;

  auto addRow = [&](const std::vector<std::string>& fields, uint64_t lineNo) {
    if (values.size() >= cap) {
      capped = true;
      return false;
    }
    if (column >= fields.size())
      failAtLine(ErrorKind::Format, file, lineNo, "has " + std::to_string(fields.size()) + " fields; column " + quoteForMessage(columnName) + " needs " + std::to_string(column + 1));
    double v = 0;
    switch (classify(fields[column], v)) {
      case Cell::Number: break;
      case Cell::Missing:
        ++missing;
        if (options.missing == MissingPolicy::Refuse) failAtLine(ErrorKind::Format, file, lineNo, "missing value in column " + quoteForMessage(columnName));
        if (options.missing == MissingPolicy::Skip) {
          ++row;
          return true;
        }
        v = std::numeric_limits<double>::quiet_NaN();
        break;
      case Cell::NonFinite:
        if (!options.allowNonFinite)
          failAtLine(ErrorKind::BadValue, file, lineNo, quoteForMessage(fields[column]) + " in column " + quoteForMessage(columnName) + " is not finite");
        ++nonFinite;
        break;
      case Cell::OutOfRange:
        failAtLine(ErrorKind::BadValue, file, lineNo, quoteForMessage(fields[column]) + " in column " + quoteForMessage(columnName) + " is out of range for a number");
      case Cell::NotNumber:
        failAtLine(ErrorKind::Format, file, lineNo,
                   quoteForMessage(fields[column]) + " in column " + quoteForMessage(columnName) + " is not a number (numbers use '.' as the decimal point)");
    }
    if (values.empty()) useTimeLabels = column != 0 && !fields.empty() && !isNumeric(fields[0]);
    values.push_back(v);
    labels.push_back(useTimeLabels && !fields.empty() ? std::string(trim(fields[0]).substr(0, kMaxLabelBytes)) : "t=" + std::to_string(row));
    ++row;
    return true;
  };

  bool more = true;
  for (size_t i = 0; i < head.size() && more; ++i) more = addRow(headFields[i], head[i].number);
  while (more && reader.next(text)) {
    const std::string_view t = trim(text);
    if (t.empty() || t.front() == '#') continue;
    more = addRow(splitFields(text, delim, file, reader.lineNo()), reader.lineNo());
  }

  size_t known = 0;
  for (double v : values) known += std::isnan(v) ? 0 : 1;
  if (known == 0) failFile(ErrorKind::Format, file, "column " + quoteForMessage(columnName) + " has no numeric values");

  Sequence seq;
  seq.name = file.substr(file.find_last_of('/') + 1);
  seq.kind = SequenceKind::TimeSeries;
  if (missing && options.missing == MissingPolicy::Interpolate) {
    // Linear between known neighbours; the ends take the nearest known value.
    size_t prev = values.size();
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i])) continue;
      const size_t from = prev == values.size() ? 0 : prev + 1;
      for (size_t m = from; m < i; ++m) {
        const double t = prev == values.size() ? 1.0 : static_cast<double>(m - prev) / static_cast<double>(i - prev);
        values[m] = prev == values.size() ? values[i] : values[prev] + t * (values[i] - values[prev]);
      }
      prev = i;
    }
    for (size_t m = prev + 1; m < values.size(); ++m) values[m] = values[prev];
    seq.warnings.push_back(file + ": " + std::to_string(missing) + " missing values interpolated");
  } else if (missing) {
    seq.warnings.push_back(file + ": " + std::to_string(missing) + " rows with missing values skipped");
  }
  if (nonFinite) seq.warnings.push_back(file + ": " + std::to_string(nonFinite) + " non-finite values kept (allowed by the options)");
  if (capped) seq.warnings.push_back(file + ": stopped at the position cap of " + std::to_string(cap));
  seq.embeddings = timeSeriesFeatures(values, options.featureWidth, options.featureSeed);
  seq.labels = std::move(labels);
  return seq;
}

}  // namespace attnscope
