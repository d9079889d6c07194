#include "cli_render.hpp"

#include "common/error.hpp"

#ifdef ATTNSCOPE_HAVE_VIEWS
#include <QApplication>
#include <memory>
#endif

namespace attnscope::cli {

bool renderingAvailable() {
#ifdef ATTNSCOPE_HAVE_VIEWS
  return true;
#else
  return false;
#endif
}

void ensureRenderingContext() {
#ifdef ATTNSCOPE_HAVE_VIEWS
  if (QCoreApplication::instance()) return;
  static int argc = 3;
  static char arg0[] = "attnscope-cli", arg1[] = "-platform", arg2[] = "offscreen";
  static char* argv[] = {arg0, arg1, arg2, nullptr};
  // Widgets, not only a GUI application: the sweep plot is drawn with Qt Charts.
  static std::unique_ptr<QApplication> app(new QApplication(argc, argv));
#else
  throw Error(ErrorKind::Unavailable, "image output needs the views, which this build left out (configure with ATTNSCOPE_GUI=ON)");
#endif
}

}  // namespace attnscope::cli
