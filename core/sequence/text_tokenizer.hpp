// Splits UTF-8 text into word and punctuation tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// Words are runs of letters, digits, '_' , apostrophes inside words and any
// non-ASCII UTF-8 sequence (so accented words stay whole); every other
// non-space character is a token of its own.
std::vector<std::string> tokenizeText(std::string_view text, size_t maxTokens = 0);

}  // namespace attnscope
