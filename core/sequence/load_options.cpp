// Parsing of loader option values (shared by the CLI and the GUI) and the
// message helpers every loader uses.
#include <cstdio>

#include "common/error.hpp"
#include "common/parse.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/loader.hpp"

namespace attnscope {

const char* fileFormatName(FileFormat f) {
  switch (f) {
    case FileFormat::Auto: return "auto";
    case FileFormat::Text: return "text";
    case FileFormat::Fasta: return "fasta";
    case FileFormat::Csv: return "csv";
    case FileFormat::Npy: return "npy";
    case FileFormat::Safetensors: return "safetensors";
  }
  return "auto";
}

FileFormat parseFileFormat(const std::string& t) {
  if (t == "auto") return FileFormat::Auto;
  if (t == "text" || t == "txt") return FileFormat::Text;
  if (t == "fasta" || t == "fa") return FileFormat::Fasta;
  if (t == "csv" || t == "tsv") return FileFormat::Csv;
  if (t == "npy") return FileFormat::Npy;
  if (t == "safetensors") return FileFormat::Safetensors;
  throw Error(ErrorKind::InvalidArgument, "'" + t + "' is not a format (auto, text, fasta, csv, tsv, npy, safetensors)");
}

TextMode parseTextMode(const std::string& t) {
  if (t == "words") return TextMode::Words;
  if (t == "chars") return TextMode::Chars;
  if (t == "bytes") return TextMode::Bytes;
  throw Error(ErrorKind::InvalidArgument, "'" + t + "' is not a text mode (words, chars, bytes)");
}

MissingPolicy parseMissingPolicy(const std::string& t) {
  if (t == "interpolate") return MissingPolicy::Interpolate;
  if (t == "skip") return MissingPolicy::Skip;
  if (t == "error" || t == "refuse") return MissingPolicy::Refuse;
  throw Error(ErrorKind::InvalidArgument, "'" + t + "' is not a missing-value policy (interpolate, skip, error)");
}

HeaderMode parseHeaderMode(const std::string& t) {
  if (t == "auto") return HeaderMode::Auto;
  if (t == "yes" || t == "true" || t == "1") return HeaderMode::Present;
  if (t == "no" || t == "false" || t == "0") return HeaderMode::Absent;
  throw Error(ErrorKind::InvalidArgument, "'" + t + "' is not a header choice (auto, yes, no)");
}

TensorRole parseTensorRole(const std::string& t) {
  if (t == "auto") return TensorRole::Auto;
  if (t == "q" || t == "query") return TensorRole::Q;
  if (t == "k" || t == "key") return TensorRole::K;
  if (t == "v" || t == "value") return TensorRole::V;
  if (t == "qkv") return TensorRole::Qkv;
  if (t == "embeddings" || t == "hidden") return TensorRole::Embeddings;
  throw Error(ErrorKind::InvalidArgument, "'" + t + "' is not a role (auto, q, k, v, qkv, embeddings)");
}

std::map<std::string, std::string> parseTensorNames(const std::string& text) {
  std::map<std::string, std::string> names;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw Error(ErrorKind::InvalidArgument, "'" + item + "' is not ROLE=NAME (e.g. q=attn.q_proj,k=attn.k_proj,v=attn.v_proj)");
    std::string role = item.substr(0, eq);
    if (role == "query") role = "q";
    if (role == "key") role = "k";
    if (role == "value") role = "v";
    if (role == "hidden" || role == "e") role = "embeddings";
    if (role != "q" && role != "k" && role != "v" && role != "embeddings")
      throw Error(ErrorKind::InvalidArgument, "unknown role '" + role + "' (q, k, v, embeddings)");
    if (!names.emplace(role, item.substr(eq + 1)).second) throw Error(ErrorKind::InvalidArgument, "role '" + role + "' is given twice");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const bool anyQkv = names.count("q") || names.count("k") || names.count("v");
  if (anyQkv && (!names.count("q") || !names.count("k") || !names.count("v")))
    throw Error(ErrorKind::InvalidArgument, "name all three of q, k and v");
  if (anyQkv && names.count("embeddings")) throw Error(ErrorKind::InvalidArgument, "give either q, k, v or embeddings, not both");
  return names;
}

std::string quoteForMessage(std::string_view text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (text.size() > 40) out += "...";
  return out + "'";
}

}  // namespace attnscope
