#include "page.hpp"

#include <nlohmann/json.hpp>

#include "view_export.hpp"

namespace attnscope {

void Page::saveState(nlohmann::json&) const {}

void Page::restoreState(const nlohmann::json&) {}

QImage Page::renderImage() const {
  // Drawn at the page's current size so the export looks like the window.
  return renderWidgetImage(const_cast<Page*>(this), size());
}

}  // namespace attnscope
