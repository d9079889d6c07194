#include "attention/registry.hpp"

#include "common/error.hpp"

namespace attnscope {

VariantRegistry& VariantRegistry::instance() {
  static VariantRegistry registry;
  return registry;
}

void VariantRegistry::add(std::unique_ptr<Variant> variant) {
  if (find(variant->info().id)) throw Error(ErrorKind::InvalidArgument, "variant '" + variant->info().id + "' registered twice");
  variants_.push_back(std::move(variant));
}

const Variant* VariantRegistry::find(const std::string& id) const {
  for (const auto& v : variants_)
    if (v->info().id == id) return v.get();
  return nullptr;
}

const Variant& VariantRegistry::get(const std::string& id) const {
  if (const Variant* v = find(id)) return *v;
  std::string known;
  for (const auto& name : ids()) known += (known.empty() ? "" : ", ") + name;
  throw Error(ErrorKind::InvalidArgument, "unknown variant '" + id + "' (known: " + known + ")");
}

std::vector<const Variant*> VariantRegistry::all() const {
  std::vector<const Variant*> out;
  for (const auto& v : variants_) out.push_back(v.get());
  std::stable_sort(out.begin(), out.end(), [](const Variant* a, const Variant* b) { return a->info().displayOrder < b->info().displayOrder; });
  return out;
}

std::vector<std::string> VariantRegistry::ids() const {
  std::vector<std::string> out;
  for (const Variant* v : all()) out.push_back(v->info().id);
  return out;
}

AttentionSpec makeSpec(const std::string& variantId) {
  AttentionSpec spec;
  spec.variant = variantId;
  spec.params = Params(VariantRegistry::instance().get(variantId).info().params);
  return spec;
}

}  // namespace attnscope
