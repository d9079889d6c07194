// The variant registry. Variants register themselves from their own file;
// nothing else lists variants by hand.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attention/variant.hpp"

namespace attnscope {

class VariantRegistry {
 public:
  static VariantRegistry& instance();
  void add(std::unique_ptr<Variant> variant);
  // Throws Error(InvalidArgument) listing the known ids.
  const Variant& get(const std::string& id) const;
  const Variant* find(const std::string& id) const;
  // Sorted in a stable, meaningful order: dense first, then by registration order.
  std::vector<const Variant*> all() const;
  std::vector<std::string> ids() const;

 private:
  std::vector<std::unique_ptr<Variant>> variants_;
};

// AttentionSpec with the variant's schema and default parameters.
AttentionSpec makeSpec(const std::string& variantId);

// Static registration: `static const RegisterVariant<MyVariant> reg;` in the variant's file.
template <typename T>
struct RegisterVariant {
  RegisterVariant() { VariantRegistry::instance().add(std::make_unique<T>()); }
};

}  // namespace attnscope
