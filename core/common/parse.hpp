// Locale-independent number parsing (a Qt application takes the system locale).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attnscope {

std::optional<int64_t> parseInt(std::string_view text);
std::optional<double> parseDouble(std::string_view text);
std::optional<bool> parseBool(std::string_view text);
std::string_view trim(std::string_view text);
std::string formatBytes(double bytes);

}  // namespace attnscope
