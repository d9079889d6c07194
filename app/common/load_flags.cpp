// Flags that control how input files are read. Every bad value is a one-line
// usage error naming the flag.
#include "flag_reader.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"

namespace attnscope::flags {

namespace {

// Runs an option parser from core, turning its Error into a usage error for this flag.
template <typename Parse>
auto parsed(const std::string& flag, const std::string& value, Parse parse) {
  try {
    return parse(value);
  } catch (const Error& e) {
    throw UsageError{flag + ": " + e.what()};
  }
}

}  // namespace

bool parseLoadFlag(const std::string& flag, Args& args, LoadOptions& options) {
  if (flag == "--max-tokens") {
    options.maxTokens = args.intValue(flag, 1, int64_t{1} << 26);
  } else if (flag == "--allow-nonfinite") {
    options.allowNonFinite = true;
  } else if (flag == "--format") {
    options.format = parsed(flag, args.value(flag), parseFileFormat);
  } else if (flag == "--text-mode") {
    options.textMode = parsed(flag, args.value(flag), parseTextMode);
  } else if (flag == "--record") {
    options.fastaRecord = args.value(flag);
    if (options.fastaRecord.empty()) throw UsageError{flag + ": the record name is empty"};
  } else if (flag == "--record-index") {
    options.fastaRecordIndex = args.intValue(flag, 0, INT64_MAX);
  } else if (flag == "--kmer") {
    options.kmer = static_cast<int>(args.intValue(flag, 1, 6));
  } else if (flag == "--kmer-stride") {
    const std::string v = args.value(flag);
    // 0 means "k", so the order of --kmer and --kmer-stride does not matter.
    if (v == "k") options.kmerStride = 0;
    else if (v == "1") options.kmerStride = 1;
    else if (auto n = parseInt(v); n && *n == options.kmer) options.kmerStride = 0;
    else throw UsageError{flag + ": '" + v + "' is not 1 or k"};
  } else if (flag == "--column") {
    options.csvColumn = args.value(flag);
    if (options.csvColumn.empty()) throw UsageError{flag + ": the column name is empty"};
  } else if (flag == "--delimiter") {
    const std::string v = args.value(flag);
    if (v == "tab" || v == "\\t" || v == "\t") options.csvDelimiter = '\t';
    else if (v == "comma") options.csvDelimiter = ',';
    else if (v == "semicolon") options.csvDelimiter = ';';
    else if (v.size() == 1 && v[0] != '"' && v[0] != '\n' && v[0] != '\r') options.csvDelimiter = v[0];
    else throw UsageError{flag + ": '" + v + "' is not one character (or tab, comma, semicolon)"};
  } else if (flag == "--header") {
    options.csvHeader = parsed(flag, args.value(flag), parseHeaderMode);
  } else if (flag == "--missing") {
    options.missing = parsed(flag, args.value(flag), parseMissingPolicy);
  } else if (flag == "--features") {
    options.featureWidth = static_cast<int>(args.intValue(flag, 2, 1024));
  } else if (flag == "--tensor") {
    options.tensorNames = parsed(flag, args.value(flag), parseTensorNames);
  } else if (flag == "--role") {
    options.role = parsed(flag, args.value(flag), parseTensorRole);
  } else if (flag == "--max-load-bytes") {
    options.maxBytes = static_cast<uint64_t>(args.bytesValue(flag));
  } else {
    return false;
  }
  if (options.fastaRecordIndex >= 0 && !options.fastaRecord.empty()) throw UsageError{flag + ": give --record or --record-index, not both"};
  return true;
}

std::string loadFlagsUsage() {
  return "Input files (--input) are recognised by content, then by extension:\n"
         "  --format F           auto (default), text, fasta, csv, tsv, npy, safetensors\n"
         "  --max-tokens N       cap on positions read from a file (default 4194304)\n"
         "  --allow-nonfinite    keep NaN/Inf in numeric inputs (reported as warnings; refused by default)\n"
         "  --max-load-bytes B   cap on memory a tensor file may fill (e.g. 2G)\n"
         "  text:        --text-mode words|chars|bytes   word/punctuation tokens (default; Chinese and Japanese split\n"
         "               into words by dictionary), one token per character, or per byte\n"
         "  FASTA:       --record NAME | --record-index I (0-based; default the first record)\n"
         "               --kmer K (1..6, default 1)  --kmer-stride 1|k (default 1)\n"
         "  CSV/TSV:     --column NAME|INDEX (0-based; default the first numeric column)\n"
         "               --delimiter C|tab  --header auto|yes|no  --missing interpolate|skip|error\n"
         "               --features N (per-step feature width, default 16)\n"
         "  .npy:        --role auto|q|k|v|qkv|embeddings (q|k|v read partner files attn_q/_k/_v.npy)\n"
         "  safetensors: --tensor q=NAME,k=NAME,v=NAME or --tensor embeddings=NAME\n";
}

}  // namespace attnscope::flags
