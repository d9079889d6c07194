#include "sequence/text_tokenizer.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <memory>

#include "common/error.hpp"

namespace attnscope {

namespace {

bool isSpaceCodePoint(UChar32 c) { return u_isUWhiteSpace(c) || c == 0xFEFF; }

// Code points of [begin, end) of a UTF-8 string, each as its own token, skipping whitespace.
void addCharacters(std::string_view text, size_t maxTokens, std::vector<std::string>& tokens) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length && (maxTokens == 0 || tokens.size() < maxTokens)) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, length, c);
    if (c < 0 || !isSpaceCodePoint(c)) tokens.emplace_back(text.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
  }
}

}  // namespace

std::vector<std::string> tokenizeText(std::string_view text, size_t maxTokens) {
  std::vector<std::string> tokens;
  if (text.empty()) return tokens;
  // The break iterator works on UTF-16; UTF-8 offsets are kept alongside.
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> words(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) throw Error(ErrorKind::Unsupported, std::string("text tokenizer: ICU word break iterator unavailable: ") + u_errorName(status));
  words->setText(u);
  std::string piece;
  for (int32_t start = words->first(), end = words->next(); end != icu::BreakIterator::DONE; start = end, end = words->next()) {
    if (maxTokens != 0 && tokens.size() >= maxTokens) break;
    const int32_t status = words->getRuleStatus();
    piece.clear();
    u.tempSubStringBetween(start, end).toUTF8String(piece);
    if (status >= UBRK_WORD_NONE_LIMIT) {
      tokens.push_back(piece);  // letters, numbers, kana, ideographs
    } else {
      addCharacters(piece, maxTokens, tokens);  // spaces (dropped), punctuation and symbols (one token each)
    }
  }
  return tokens;
}

std::vector<std::string> tokenizeCharacters(std::string_view text, size_t maxTokens) {
  std::vector<std::string> tokens;
  addCharacters(text, maxTokens, tokens);
  return tokens;
}

}  // namespace attnscope
