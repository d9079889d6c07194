#include "sequence/text_tokenizer.hpp"

namespace attnscope {

namespace {
bool isWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}
bool isSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
}  // namespace

std::vector<std::string> tokenizeText(std::string_view text, size_t maxTokens) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size() && (maxTokens == 0 || tokens.size() < maxTokens)) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (isSpace(c)) {
      ++i;
    } else if (isWordByte(c)) {
      size_t start = i;
      while (i < text.size()) {
        unsigned char b = static_cast<unsigned char>(text[i]);
        if (isWordByte(b)) {
          ++i;
        } else if (b == '\'' && i + 1 < text.size() && i > start && isWordByte(static_cast<unsigned char>(text[i + 1]))) {
          ++i;  // keep "don't" and "clause's" whole
        } else {
          break;
        }
      }
      tokens.emplace_back(text.substr(start, i - start));
    } else {
      tokens.emplace_back(1, static_cast<char>(c));
      ++i;
    }
  }
  return tokens;
}

}  // namespace attnscope
