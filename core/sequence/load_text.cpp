// Plain text: UTF-8 (with or without BOM), Latin-1 fallback with a warning,
// word/punctuation tokens (Unicode word boundaries), one token per character,
// or one per byte. Streams the file in chunks
// and stops at the token cap, so a file of any size loads in bounded memory.
#include <algorithm>
#include <cstdio>

#include "sequence/load_errors.hpp"
#include "sequence/loader.hpp"
#include "sequence/source.hpp"
#include "sequence/text_tokenizer.hpp"

namespace attnscope {

namespace {

// A run without whitespace longer than this is cut (at a character boundary)
// so one huge "word" cannot hold the whole file in memory.
constexpr size_t kMaxUncutRun = 1 << 20;

bool isAsciiSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isControl(unsigned char c) { return (c < 0x20 && !isAsciiSpace(c) && c != 0x1b) || c == 0x7f; }

// Length of the well-formed UTF-8 sequence at p (1..4), 0 if it is malformed
// (overlong, surrogate, past U+10FFFF) or cut off by the end of the buffer.
size_t utf8Length(const unsigned char* p, size_t avail) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (avail < len) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return len;
}

void appendLatin1(std::string& out, unsigned char c) {
  out += static_cast<char>(0xC0 | (c >> 6));
  out += static_cast<char>(0x80 | (c & 0x3F));
}

std::string byteLabel(unsigned char c) {
  if (c == ' ') return "\xE2\x90\xA3";  // U+2423 OPEN BOX, the visible space
  if (c == '\n') return "\\n";
  if (c == '\t') return "\\t";
  if (c == '\r') return "\\r";
  if (c > 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", c);
  return buf;
}

class TextLoader {
 public:
  TextLoader(Source& source, const LoadOptions& options) : source_(source), options_(options) {}

  Sequence run() {
    const std::string& name = source_.name();
    if (source_.size() == 0) failFile(ErrorKind::Format, name, "file is empty");
    if (options_.maxTokens < 1) failFile(ErrorKind::InvalidArgument, name, "token cap must be at least 1");
    const std::string head = source_.readSome(0, 4);
    uint64_t start = 0;
    if (head.rfind("\xEF\xBB\xBF", 0) == 0) start = 3;
    if (head.rfind("\xFF\xFE", 0) == 0 || head.rfind("\xFE\xFF", 0) == 0)
      failAtByte(ErrorKind::Unsupported, name, 0, "UTF-16/UTF-32 text (byte order mark); save the file as UTF-8");

    ChunkReader reader(source_, options_.chunkBytes, start);
    std::string pending;
    uint64_t pendingOffset = start;
    const size_t cap = static_cast<size_t>(options_.maxTokens);
    while (labels_.size() <= cap) {
      const std::string_view chunk = reader.next();
      const bool eof = chunk.empty();
      pending.append(chunk);
      size_t cut = pending.size();
      if (!eof) {
        // Cut after the last whitespace: no token and no UTF-8 character spans it.
        size_t last = pending.size();
        while (last > 0 && !isAsciiSpace(static_cast<unsigned char>(pending[last - 1]))) --last;
        if (last == 0) {
          if (pending.size() < kMaxUncutRun) continue;
          cut = pending.size();
          // Step back over an incomplete trailing character.
          for (size_t back = 1; back <= 3 && back <= cut; ++back) {
            const unsigned char c = static_cast<unsigned char>(pending[cut - back]);
            if ((c & 0xC0) != 0x80) {
              if (c >= 0xC0) cut -= back;
              break;
            }
          }
          if (cut == 0) cut = pending.size();
        } else {
          cut = last;
        }
      }
      processPiece(std::string_view(pending).substr(0, cut), pendingOffset);
      pending.erase(0, cut);
      pendingOffset += cut;
      if (eof) break;
    }

    Sequence seq;
    seq.name = name.substr(name.find_last_of('/') + 1);
    seq.kind = SequenceKind::Text;
    if (labels_.size() > cap) {
      labels_.resize(cap);
      warnings_.push_back(name + ": stopped at the token cap of " + std::to_string(cap) + "; the rest of the file was not read");
    }
    if (labels_.empty()) failFile(ErrorKind::Format, name, "no tokens (the file holds only whitespace)");
    seq.labels = std::move(labels_);
    seq.warnings = std::move(warnings_);
    return seq;
  }

 private:
  void processPiece(std::string_view piece, uint64_t offset) {
    if (piece.empty()) return;
    checkNotBinary(piece, offset);
    if (options_.textMode == TextMode::Bytes) {
      for (unsigned char c : piece) {
        if (labels_.size() > static_cast<size_t>(options_.maxTokens)) return;
        labels_.push_back(byteLabel(c));
      }
      return;
    }
    const std::string text = decode(piece, offset);
    const size_t room = static_cast<size_t>(options_.maxTokens) + 1 - labels_.size();
    std::vector<std::string> tokens = options_.textMode == TextMode::Chars ? tokenizeCharacters(text, room) : tokenizeText(text, room);
    labels_.insert(labels_.end(), std::make_move_iterator(tokens.begin()), std::make_move_iterator(tokens.end()));
  }

  void checkNotBinary(std::string_view piece, uint64_t offset) {
    const size_t nul = piece.find('\0');
    if (nul != std::string_view::npos)
      failAtByte(ErrorKind::Format, source_.name(), offset + nul, "binary data where text was expected (NUL byte)");
    size_t controls = 0, firstControl = 0;
    for (size_t i = 0; i < piece.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(piece[i]);
      if (isControl(c) || (latin1_ && c >= 0x80 && c < 0xA0)) {
        if (controls++ == 0) firstControl = i;
      }
    }
    if (controls >= 2 && controls * 20 > piece.size())
      failAtByte(ErrorKind::Format, source_.name(), offset + firstControl,
                 "binary data where text was expected (" + std::to_string(controls) + " control bytes in " + std::to_string(piece.size()) + ")");
  }

  // UTF-8 passes through; bytes that are not well-formed UTF-8 are read as
  // Latin-1. If the first piece is not UTF-8, the whole file is Latin-1.
  std::string decode(std::string_view piece, uint64_t offset) {
    const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
    if (first_) {
      first_ = false;
      for (size_t i = 0; i < piece.size();) {
        const size_t len = utf8Length(p + i, piece.size() - i);
        if (len == 0) {
          latin1_ = true;
          warnings_.push_back(source_.name() + ": not valid UTF-8 (at byte " + std::to_string(offset + i) + "); read as Latin-1");
          checkNotBinary(piece, offset);  // C1 controls count as binary in Latin-1
          break;
        }
        i += len;
      }
    }
    std::string out;
    out.reserve(piece.size() + piece.size() / 8);
    for (size_t i = 0; i < piece.size();) {
      if (p[i] < 0x80) {
        out += static_cast<char>(p[i++]);
        continue;
      }
      const size_t len = latin1_ ? 0 : utf8Length(p + i, piece.size() - i);
      if (len == 0) {
        if (!latin1_ && !mixedWarned_) {
          mixedWarned_ = true;
          warnings_.push_back(source_.name() + ": invalid UTF-8 at byte " + std::to_string(offset + i) + "; such bytes were read as Latin-1");
        }
        appendLatin1(out, p[i++]);
      } else {
        out.append(piece.substr(i, len));
        i += len;
      }
    }
    return out;
  }

  Source& source_;
  const LoadOptions& options_;
  std::vector<std::string> labels_;
  std::vector<std::string> warnings_;
  bool first_ = true;
  bool latin1_ = false;
  bool mixedWarned_ = false;
};

}  // namespace

Sequence loadText(Source& source, const LoadOptions& options) { return TextLoader(source, options).run(); }

}  // namespace attnscope
