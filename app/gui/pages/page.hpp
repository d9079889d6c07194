// A page of the window's page stack (Compare, Scaling, Trade-off, Profile,
// Runs, Explorer, Lessons). Each page is one class and file pair here,
// built from views/, subscribing to the JobRunner results it draws. Pages are
// registered in page_registry.cpp, the one place that lists them.
#pragma once

#include <QImage>
#include <QString>
#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace attnscope {

class JobRunner;
class LessonPlayer;
class SessionModel;

// What a page may use: the runner for results (and to start its own jobs), and
// the session model for the current spec (input, features, variants, params).
struct PageContext {
  JobRunner* runner = nullptr;
  SessionModel* session = nullptr;
  LessonPlayer* lessons = nullptr;  // runs a lesson in the window (may be null)
};

class Page : public QWidget {
  Q_OBJECT

 public:
  using QWidget::QWidget;
  virtual QString id() const = 0;     // "compare", "scaling", ... (--view NAME, session files)
  virtual QString title() const = 0;  // tr()'d, shown in the page selector
  // True once the page shows the results it was asked for (the screenshot waits for it).
  virtual bool hasResults() const = 0;
  // Starts the page's own work for a screenshot or a shortcut (a sweep, say); default none.
  virtual void runDefault() {}
  // Page state that a session file keeps (zoom, chosen parameter, ...).
  virtual void saveState(nlohmann::json& state) const;
  virtual void restoreState(const nlohmann::json& state);
  // Export of what the page shows.
  virtual QImage renderImage() const;

 signals:
  void resultsShown();                   // emitted when hasResults() becomes true
  void message(const QString& text);     // for the status bar
};

using PageFactory = std::function<Page*(const PageContext&, QWidget* parent)>;

struct PageEntry {
  QString id;
  int order = 100;
  PageFactory make;
};

// The registered pages, in display order.
const std::vector<PageEntry>& registeredPages();

}  // namespace attnscope
