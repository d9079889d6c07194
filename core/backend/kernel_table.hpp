// The (backend, variant) kernel table (DESIGN §1, §6). A variant says what it
// computes; each backend registers the kernels that compute it. A backend's
// supports() and run() ask the same choose(), so they cannot disagree.
//
// Entries are tried in this order: those registered for the variant's own id,
// then those registered for every mask-based variant (kAnyMaskBased: the
// backend's block-sparse kernel, driven by the variant's BlockLayout). Within
// an order, the first entry whose predicate accepts the spec wins; when none
// does, *why gathers each refusal.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attention/registry.hpp"

namespace attnscope {

// The key that stands for every variant with VariantInfo::maskBased.
inline constexpr const char* kAnyMaskBased = "*mask-based*";

// Whether a kernel handles this spec (and shape, when known: nullptr means
// "not known yet", e.g. a supports() call before any input is loaded); on no,
// the reason goes to *why (never null).
using KernelPredicate = std::function<bool(const AttentionSpec& spec, const Shape* shape, std::string* why)>;

template <typename Kernel>
class KernelTable {
 public:
  explicit KernelTable(std::string backend) : backend_(std::move(backend)) {}

  void add(const std::string& variant, std::shared_ptr<const Kernel> kernel, KernelPredicate accepts = {}) {
    entries_.push_back(Entry{variant, std::move(kernel), std::move(accepts)});
  }

  // The kernel that runs spec on this backend, or nullptr with the reason in *why.
  const Kernel* choose(const AttentionSpec& spec, const Shape* shape, std::string* why) const {
    const Variant* variant = VariantRegistry::instance().find(spec.variant);
    if (!variant) return refuse(why, "unknown variant '" + spec.variant + "'");
    std::string refusals;
    bool listed = false;
    const std::string anyMask = kAnyMaskBased;
    for (const std::string* key : {&spec.variant, variant->info().maskBased ? &anyMask : nullptr}) {
      if (!key) continue;
      for (const Entry& e : entries_) {
        if (e.variant != *key) continue;
        listed = true;
        std::string reason;
        if (!e.accepts || e.accepts(spec, shape, &reason)) return e.kernel.get();
        if (refusals.find(reason) == std::string::npos) refusals += (refusals.empty() ? "" : "; ") + reason;
      }
    }
    if (!listed) return refuse(why, "variant '" + spec.variant + "' has no " + backend_ + " kernel (" + backend_ + " runs: " + listedVariants() + ")");
    return refuse(why, refusals);
  }

  // Ids of the variants this backend has a kernel for, in display order.
  std::vector<std::string> variants() const {
    std::vector<std::string> out;
    for (const Variant* v : VariantRegistry::instance().all()) {
      for (const Entry& e : entries_) {
        if (e.variant == v->info().id || (e.variant == kAnyMaskBased && v->info().maskBased)) {
          out.push_back(v->info().id);
          break;
        }
      }
    }
    return out;
  }

 private:
  struct Entry {
    std::string variant;
    std::shared_ptr<const Kernel> kernel;
    KernelPredicate accepts;
  };

  static const Kernel* refuse(std::string* why, const std::string& reason) {
    if (why) *why = reason;
    return nullptr;
  }

  std::string listedVariants() const {
    std::string out;
    for (const std::string& id : variants()) out += (out.empty() ? "" : ", ") + id;
    return out.empty() ? "none" : out;
  }

  std::string backend_;
  std::vector<Entry> entries_;
};

}  // namespace attnscope
