#include "flag_reader.hpp"

#include <cctype>

#include "common/parse.hpp"

namespace attnscope::flags {

std::string Args::nextFlag() {
  std::string item = items_[pos_++];
  if (item.rfind("--", 0) != 0) throw UsageError{"unexpected argument '" + item + "' (flags start with --)"};
  // --flag=value is accepted too.
  const size_t eq = item.find('=');
  if (eq != std::string::npos) {
    items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(pos_), item.substr(eq + 1));
    item = item.substr(0, eq);
  }
  return item;
}

std::string Args::value(const std::string& flag) {
  if (pos_ >= items_.size()) throw UsageError{flag + ": missing value"};
  return items_[pos_++];
}

int64_t Args::intValue(const std::string& flag, int64_t min, int64_t max) {
  const std::string text = value(flag);
  auto v = parseInt(text);
  if (!v) throw UsageError{flag + ": '" + text + "' is not an integer"};
  if (*v < min || *v > max) throw UsageError{flag + ": " + text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]"};
  return *v;
}

double Args::doubleValue(const std::string& flag, double min, double max) {
  const std::string text = value(flag);
  auto v = parseDouble(text);
  if (!v) throw UsageError{flag + ": '" + text + "' is not a number"};
  if (*v < min || *v > max) throw UsageError{flag + ": " + text + " is out of range"};
  return *v;
}

bool Args::wantsHelp() const {
  for (size_t i = pos_; i < items_.size(); ++i)
    if (items_[i] == "--help" || items_[i] == "-h") return true;
  return false;
}

int64_t Args::bytesValue(const std::string& flag) {
  const std::string text = value(flag);
  std::string digits = text;
  double mult = 1;
  if (!digits.empty()) {
    const char suffix = static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back())));
    if (suffix == 'K' || suffix == 'M' || suffix == 'G' || suffix == 'T') {
      mult = suffix == 'K' ? 1024.0 : suffix == 'M' ? 1048576.0 : suffix == 'G' ? 1073741824.0 : 1099511627776.0;
      digits.pop_back();
    }
  }
  auto v = parseDouble(digits);
  if (!v || *v <= 0 || *v * mult > 9e18) throw UsageError{flag + ": '" + text + "' is not a byte count (e.g. 512M, 4G)"};
  return static_cast<int64_t>(*v * mult);
}

}  // namespace attnscope::flags
