#include "backend/backend.hpp"

#include <fstream>
#include <sstream>

#include "analysis/head_operator.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"

namespace attnscope {

std::unique_ptr<HeadOperator> Backend::headOperator(const AttentionSpec& spec, const Qkv&, int, const std::vector<std::string>*, const ExecContext&,
                                                   std::string* why) const {
  if (why) *why = name() + " has no operator of its own for " + spec.variant;
  return nullptr;
}

BackendRegistry& BackendRegistry::instance() {
  static BackendRegistry registry;
  return registry;
}

void BackendRegistry::add(std::unique_ptr<Backend> backend) { backends_.push_back(std::move(backend)); }

Backend* BackendRegistry::find(const std::string& name) const {
  for (const auto& b : backends_)
    if (b->name() == name) return b.get();
  return nullptr;
}

Backend& BackendRegistry::get(const std::string& name) const {
  if (Backend* b = find(name)) return *b;
  std::string known;
  for (const auto& b : backends_) known += (known.empty() ? "" : ", ") + b->name();
  throw Error(ErrorKind::InvalidArgument, "unknown backend '" + name + "' (known: " + known + ")");
}

std::vector<Backend*> BackendRegistry::all() const {
  std::vector<Backend*> out;
  for (const auto& b : backends_) out.push_back(b.get());
  return out;
}

int64_t availableSystemMemory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream ss(line.substr(13));
      std::string number;
      ss >> number;
      if (auto kb = parseInt(number)) return *kb * 1024;
    }
  }
  return 0;
}

}  // namespace attnscope
