// The one place that lists the window's pages: a new page is one more entry
// here and its own files, nothing else.
#include <algorithm>

#include "compare_page.hpp"
#include "explorer_page.hpp"
#include "lessons_page.hpp"
#include "page.hpp"
#include "profile_page.hpp"
#include "runs_page.hpp"
#include "scaling_page.hpp"
#include "tradeoff_page.hpp"

namespace attnscope {

namespace {

template <typename P>
Page* makePage(const PageContext& context, QWidget* parent) {
  return new P(context, parent);
}

}  // namespace

const std::vector<PageEntry>& registeredPages() {
  static const std::vector<PageEntry> pages = [] {
    std::vector<PageEntry> list{
        {"compare", 10, makePage<ComparePage>},
        {"scaling", 20, makeScalingPage},
        {"tradeoff", 30, makeTradeoffPage},
        {"profile", 40, makeProfilePage},
        {"runs", 50, makeRunsPage},
        {"explorer", 60, makeExplorerPage},
        {"lessons", 70, makeLessonsPage},
    };
    std::stable_sort(list.begin(), list.end(), [](const PageEntry& a, const PageEntry& b) { return a.order < b.order; });
    return list;
  }();
  return pages;
}

}  // namespace attnscope
