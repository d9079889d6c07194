#include "sequence/loader.hpp"

#include <algorithm>
#include <cctype>

#include "common/parse.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/source.hpp"

namespace attnscope {

namespace {

constexpr size_t kSniffBytes = 64 * 1024;

std::string lowerExtension(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

FileFormat formatFromExtension(const std::string& ext) {
  for (const char* e : {"fa", "fasta", "fna", "ffn", "frn", "fas", "fsa", "seq"})
    if (ext == e) return FileFormat::Fasta;
  for (const char* e : {"csv", "tsv", "tab"})
    if (ext == e) return FileFormat::Csv;
  if (ext == "npy") return FileFormat::Npy;
  if (ext == "safetensors") return FileFormat::Safetensors;
  if (ext == "txt" || ext == "md" || ext == "text") return FileFormat::Text;
  return FileFormat::Auto;
}

// Lines of numbers with a steady delimiter (a header line allowed) read as CSV.
bool looksLikeCsv(std::string_view head, bool complete) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < head.size() && lines.size() < 20) {
    const size_t nl = head.find('\n', start);
    if (nl == std::string_view::npos && !complete) break;  // a partial last line
    const std::string_view line = trim(head.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (!line.empty() && line.front() != '#') lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  if (lines.size() < 2) return false;
  for (char delim : {',', '\t', ';', '|', '\0'}) {
    std::vector<std::vector<std::string_view>> rows;
    bool steady = true;
    for (std::string_view line : lines) {
      std::vector<std::string_view> fields;
      size_t s = 0;
      while (true) {
        const size_t d = delim ? line.find(delim, s) : std::string_view::npos;
        fields.push_back(trim(line.substr(s, d == std::string_view::npos ? std::string_view::npos : d - s)));
        if (d == std::string_view::npos) break;
        s = d + 1;
      }
      if (!rows.empty() && fields.size() != rows.front().size()) steady = false;
      rows.push_back(std::move(fields));
    }
    if (!steady || (delim && rows.front().size() < 2)) continue;
    for (size_t col = 0; col < rows.front().size(); ++col) {
      bool numeric = true;
      for (size_t r = 1; r < rows.size() && numeric; ++r) numeric = parseDouble(rows[r][col]).has_value() || rows[r][col].empty();
      if (numeric && parseDouble(rows[1][col])) return true;
    }
  }
  return false;
}

}  // namespace

FileFormat detectFormat(Source& source, const LoadOptions& options) {
  if (options.format != FileFormat::Auto) return options.format;
  if (source.size() == 0) failFile(ErrorKind::Format, source.name(), "file is empty");
  const std::string head = source.readSome(0, kSniffBytes);
  if (head.rfind("\x93NUMPY", 0) == 0) return FileFormat::Npy;
  // safetensors: a header length whose top bytes are zero (text never has
  // NULs there), then the JSON object's '{'.
  if (head.size() >= 9 && head[6] == '\0' && head[7] == '\0' && head[8] == '{') return FileFormat::Safetensors;
  std::string_view text(head);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '>') return FileFormat::Fasta;
  const FileFormat byExtension = formatFromExtension(lowerExtension(source.name()));
  if (byExtension != FileFormat::Auto) return byExtension;
  if (text.find('\0') == std::string_view::npos && looksLikeCsv(text, head.size() == source.size())) return FileFormat::Csv;
  return FileFormat::Text;
}

Sequence loadSequence(Source& source, const LoadOptions& options) {
  switch (detectFormat(source, options)) {
    case FileFormat::Fasta: return loadFasta(source, options);
    case FileFormat::Csv: return loadCsv(source, options);
    case FileFormat::Npy: return loadNpy(source, options);
    case FileFormat::Safetensors: return loadSafetensors(source, options);
    case FileFormat::Text:
    case FileFormat::Auto: break;
  }
  return loadText(source, options);
}

Sequence loadSequenceFile(const std::string& path, const LoadOptions& options) {
  auto source = openFileSource(path);
  return loadSequence(*source, options);
}

Qkv loadQkvNpy(const std::string& path, const LoadOptions& options) {
  Sequence seq = loadSequenceFile(path, options);
  if (!seq.hasQkv)
    failFile(ErrorKind::Format, path, "holds embeddings, not Q/K/V (expected [3, H, n, d], or q, k, v tensors); open it as an input instead");
  return std::move(seq.qkv);
}

}  // namespace attnscope
