// One entry for every file a user brings: picks the format by content (magic
// bytes), then by extension, and returns a Sequence or a clear Error naming
// the file, the place (line or byte offset) and the problem.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sequence/sequence.hpp"

namespace attnscope {

class Source;

enum class FileFormat { Auto, Text, Fasta, Csv, Npy, Safetensors };
enum class TextMode { Words, Chars, Bytes };
enum class MissingPolicy { Interpolate, Skip, Refuse };
enum class HeaderMode { Auto, Present, Absent };
// How a .npy array of shape [H, n, d] or [n, d] is used: as one of Q/K/V
// (the other two read from sibling files), as all three, or as embeddings.
enum class TensorRole { Auto, Q, K, V, Qkv, Embeddings };

const char* fileFormatName(FileFormat f);
// Parsers for option values; throw Error(InvalidArgument) listing the choices.
FileFormat parseFileFormat(const std::string& text);
TextMode parseTextMode(const std::string& text);
MissingPolicy parseMissingPolicy(const std::string& text);
HeaderMode parseHeaderMode(const std::string& text);
TensorRole parseTensorRole(const std::string& text);
// "q=NAME,k=NAME,v=NAME" or "embeddings=NAME" -> {role: name}.
std::map<std::string, std::string> parseTensorNames(const std::string& text);

struct LoadOptions {
  int64_t maxTokens = 1 << 22;  // cap on positions read from any file
  bool allowNonFinite = false;  // NaN/Inf in numeric inputs: refused unless set (then reported as a warning)

  FileFormat format = FileFormat::Auto;
  // Text.
  TextMode textMode = TextMode::Words;
  // FASTA: the record to read, by name (first word of its header) or by
  // 0-based index; neither means the first record.
  std::string fastaRecord;
  int64_t fastaRecordIndex = -1;
  int kmer = 1;        // 1..6
  int kmerStride = 1;  // 1 or kmer; 0 also means kmer
  // CSV/TSV: column by header name or 0-based index; empty picks the first numeric column.
  std::string csvColumn;
  char csvDelimiter = 0;  // 0: sniffed from the first lines
  HeaderMode csvHeader = HeaderMode::Auto;
  MissingPolicy missing = MissingPolicy::Interpolate;
  int featureWidth = 16;  // time-series features per step (value, difference, seeded lift)
  uint64_t featureSeed = 1;
  // Tensors: role -> tensor name in the file (keys q, k, v, embeddings).
  std::map<std::string, std::string> tensorNames;
  TensorRole role = TensorRole::Auto;
  uint64_t maxBytes = 0;  // cap on float32 bytes a tensor file may produce; 0: bounded by the file alone

  size_t chunkBytes = 1 << 20;  // streaming read size for text formats
};

Sequence loadSequenceFile(const std::string& path, const LoadOptions& options = {});
// The same detection and loaders over any source (tests, fuzzers).
Sequence loadSequence(Source& source, const LoadOptions& options = {});
FileFormat detectFormat(Source& source, const LoadOptions& options);

// A tensor file holding Q, K and V ([3, H, n, d] .npy, or q/k/v in .safetensors).
Qkv loadQkvNpy(const std::string& path, const LoadOptions& options = {});

// One loader per format (load_text.cpp, load_fasta.cpp, ...).
Sequence loadText(Source& source, const LoadOptions& options);
Sequence loadFasta(Source& source, const LoadOptions& options);
Sequence loadCsv(Source& source, const LoadOptions& options);
Sequence loadNpy(Source& source, const LoadOptions& options);
Sequence loadSafetensors(Source& source, const LoadOptions& options);

}  // namespace attnscope
