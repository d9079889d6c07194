// FASTA: one or many records ('>' header lines, sequence lines of any
// length, ';' comments), upper or lower case, N and the IUPAC codes. The
// chosen record becomes k-mer tokens (k = 1..6, stride 1 or k). Streams the
// file, so a genome loads in memory bounded by the token cap.
#include <cctype>

#include "common/parse.hpp"
#include "sequence/load_errors.hpp"
#include "sequence/loader.hpp"
#include "sequence/source.hpp"

namespace attnscope {

namespace {

constexpr size_t kMaxHeaderKept = 4096;  // longer headers are read but not kept

bool isNucleotideCode(char upper) {
  switch (upper) {
    case 'A': case 'C': case 'G': case 'T': case 'U':
    case 'R': case 'Y': case 'S': case 'W': case 'K': case 'M':
    case 'B': case 'D': case 'H': case 'V': case 'N':
      return true;
    default:
      return false;
  }
}

class FastaLoader {
 public:
  FastaLoader(Source& source, const LoadOptions& options) : source_(source), options_(options) {}

  Sequence run() {
    const std::string& name = source_.name();
    if (source_.size() == 0) failFile(ErrorKind::Format, name, "file is empty");
    if (options_.kmer < 1 || options_.kmer > 6) failFile(ErrorKind::InvalidArgument, name, "k-mer length must be in [1, 6], got " + std::to_string(options_.kmer));
    stride_ = options_.kmerStride == 0 ? options_.kmer : options_.kmerStride;
    if (stride_ != 1 && stride_ != options_.kmer)
      failFile(ErrorKind::InvalidArgument, name, "k-mer stride must be 1 or k (" + std::to_string(options_.kmer) + "), got " + std::to_string(options_.kmerStride));
    if (options_.maxTokens < 1) failFile(ErrorKind::InvalidArgument, name, "token cap must be at least 1");
    if (!options_.fastaRecord.empty() && options_.fastaRecordIndex >= 0)
      failFile(ErrorKind::InvalidArgument, name, "choose the record by name or by index, not both");

    ChunkReader reader(source_, options_.chunkBytes);
    for (std::string_view chunk = reader.next(); !chunk.empty() && !done_; chunk = reader.next()) {
      uint64_t offset = reader.chunkOffset();
      for (char ch : chunk) {
        consume(ch, offset++);
        if (done_) break;
      }
    }
    if (state_ == State::Header) endHeader();
    return finish();
  }

 private:
  enum class State { LineStart, Header, Comment, Bases };

  void consume(char ch, uint64_t offset) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) failAtLine(ErrorKind::Format, source_.name(), line_, "binary data (NUL byte at byte " + std::to_string(offset) + ")");
    if (state_ == State::LineStart) {
      column_ = 0;
      if (ch == '>') {
        if (selected_) {  // the chosen record has ended
          done_ = true;
          return;
        }
        state_ = State::Header;
        header_.clear();
        return;
      }
      if (ch == ';') {
        state_ = State::Comment;
        return;
      }
      state_ = State::Bases;
    }
    ++column_;
    if (ch == '\n') {
      if (state_ == State::Header) endHeader();
      state_ = State::LineStart;
      ++line_;
      return;
    }
    if (state_ == State::Comment) return;
    if (state_ == State::Header) {
      if (c < 0x20 && c != '\t' && c != '\r')
        failAtLine(ErrorKind::Format, source_.name(), line_, "control byte in a header (binary data?)");
      if (header_.size() < kMaxHeaderKept) header_ += ch;
      return;
    }
    // Sequence line.
    if (c == '\r' || c == ' ' || c == '\t') return;
    if (records_ == 0) failAtLine(ErrorKind::Format, source_.name(), line_, "expected a '>' header line before sequence data");
    const char upper = static_cast<char>(std::toupper(c));
    if (!isNucleotideCode(upper) || c >= 0x80) {
      if (ch == '-' || ch == '.' || ch == '*') {
        if (selected_) ++gaps_;
        return;
      }
      const bool protein = c < 0x80 && std::isalpha(c);
      failAtLine(protein ? ErrorKind::Unsupported : ErrorKind::Format, source_.name(), line_,
                 "column " + std::to_string(column_) + ": " + quoteForMessage(std::string_view(&ch, 1)) +
                     (protein ? " is not a nucleotide code (protein sequences are not supported)" : " is not a nucleotide code"));
    }
    if (!selected_) return;
    if (c != static_cast<unsigned char>(upper)) ++lowercase_;
    addBase(upper);
  }

  void endHeader() {
    std::string_view h = trim(header_);
    const size_t space = h.find_first_of(" \t");
    const std::string recordName(h.substr(0, space));
    const int64_t index = records_++;
    if (seen_.size() < 10) seen_.push_back(recordName.empty() ? "#" + std::to_string(index) : recordName);
    bool chosen;
    if (!options_.fastaRecord.empty()) chosen = recordName == options_.fastaRecord || h == options_.fastaRecord;
    else if (options_.fastaRecordIndex >= 0) chosen = index == options_.fastaRecordIndex;
    else chosen = index == 0;
    if (chosen) {
      selected_ = true;
      selectedName_ = recordName.empty() ? "record " + std::to_string(index) : recordName;
      selectedLine_ = line_;
    }
  }

  void addBase(char base) {
    const int k = options_.kmer;
    window_ += base;
    if (static_cast<int>(window_.size()) > k) window_.erase(0, 1);
    ++bases_;
    if (bases_ < static_cast<uint64_t>(k)) return;
    if ((bases_ - static_cast<uint64_t>(k)) % static_cast<uint64_t>(stride_) != 0) return;
    if (labels_.size() >= static_cast<size_t>(options_.maxTokens)) {
      capped_ = true;
      done_ = true;
      return;
    }
    labels_.push_back(window_);
  }

  Sequence finish() {
    const std::string& name = source_.name();
    if (records_ == 0) failFile(ErrorKind::Format, name, "no '>' header line: not a FASTA file");
    if (!selected_) {
      std::string list;
      for (const auto& s : seen_) list += (list.empty() ? "" : ", ") + s;
      if (records_ > static_cast<int64_t>(seen_.size())) list += ", ...";
      const std::string wanted = options_.fastaRecord.empty() ? "index " + std::to_string(options_.fastaRecordIndex) : "'" + options_.fastaRecord + "'";
      failFile(ErrorKind::InvalidArgument, name, "no record " + wanted + " among " + std::to_string(records_) + " records (" + list + ")");
    }
    if (bases_ == 0) failAtLine(ErrorKind::Format, name, selectedLine_, "record '" + selectedName_ + "' has no bases");
    if (labels_.empty())
      failAtLine(ErrorKind::Format, name, selectedLine_,
                 "record '" + selectedName_ + "' has " + std::to_string(bases_) + " bases, fewer than k = " + std::to_string(options_.kmer));
    Sequence seq;
    seq.name = selectedName_;
    seq.kind = SequenceKind::Dna;
    seq.labels = std::move(labels_);
    if (capped_) seq.warnings.push_back(name + ": record '" + selectedName_ + "' stopped at the token cap of " + std::to_string(options_.maxTokens));
    if (lowercase_) seq.warnings.push_back(name + ": " + std::to_string(lowercase_) + " lower-case (soft-masked) bases read as upper case");
    if (gaps_) seq.warnings.push_back(name + ": " + std::to_string(gaps_) + " gap characters ('-', '.', '*') skipped");
    return seq;
  }

  Source& source_;
  const LoadOptions& options_;
  State state_ = State::LineStart;
  uint64_t line_ = 1, column_ = 0;
  std::string header_;
  int64_t records_ = 0;
  std::vector<std::string> seen_;
  bool selected_ = false, done_ = false, capped_ = false;
  std::string selectedName_;
  uint64_t selectedLine_ = 0;
  std::string window_;
  uint64_t bases_ = 0, lowercase_ = 0, gaps_ = 0;
  int stride_ = 1;
  std::vector<std::string> labels_;
};

}  // namespace

Sequence loadFasta(Source& source, const LoadOptions& options) { return FastaLoader(source, options).run(); }

}  // namespace attnscope
