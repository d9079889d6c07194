#include "session_model.hpp"

#include <utility>

#include "attention/registry.hpp"

namespace attnscope {

SessionModel::SessionModel(QObject* parent) : QObject(parent) {}

void SessionModel::setState(SessionState state) {
  state_ = std::move(state);
  emit changed();
}

void SessionModel::edit(SessionState state) {
  setState(std::move(state));
  emit edited();
}

std::vector<RunSpec> SessionModel::compareSpecs() const {
  std::vector<RunSpec> specs;
  for (size_t i = 0; i < state_.variants.size(); ++i) {
    RunSpec spec = state_.base;
    spec.attention = i < state_.variantSpecs.size() ? state_.variantSpecs[i] : makeSpec(state_.variants[i]);
    spec.attention.variant = state_.variants[i];
    // Causal is asked of every column; a variant without a causal form says so in its column.
    spec.attention.causal = state_.base.attention.causal;
    spec.map.reset();
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace attnscope
