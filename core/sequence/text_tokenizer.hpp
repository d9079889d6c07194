// Splits UTF-8 text into word and punctuation tokens, or into characters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// Words by Unicode word boundaries (ICU's dictionary-based break iterator, so
// Chinese and Japanese split into words, "don't" and "3.14" stay whole);
// every punctuation or symbol character between words is a token of its
// own; whitespace separates and is dropped. maxTokens = 0: no cap.
std::vector<std::string> tokenizeText(std::string_view text, size_t maxTokens = 0);

// One token per Unicode code point (whitespace dropped).
std::vector<std::string> tokenizeCharacters(std::string_view text, size_t maxTokens = 0);

}  // namespace attnscope
