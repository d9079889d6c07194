// What the window is set to now: the input, the featurizer, the variants and
// their parameters, the head shown. The side panels edit it, pages read it,
// session files save and restore it. Plain values with one change signal.
#pragma once

#include <QObject>
#include <QString>
#include <string>
#include <vector>

#include "experiment/run.hpp"

namespace attnscope {

struct SessionState {
  RunSpec base;                          // input, n, features, backend, causal, repeats; attention = the primary variant
  std::vector<std::string> variants;     // checked variants, primary first
  std::vector<AttentionSpec> variantSpecs;  // per checked variant: its parameters (same order as variants)
  int mapHead = 0;
  QString page = "compare";              // the page shown
};

class SessionModel : public QObject {
  Q_OBJECT

 public:
  explicit SessionModel(QObject* parent = nullptr);

  const SessionState& state() const { return state_; }
  void setState(SessionState state);     // emits changed()
  // A user's edit made on a page (the explorer's sliders): setState, then
  // edited(), on which the window reruns what the edit affects.
  void edit(SessionState state);
  // One RunSpec per checked variant, on the same input (what a compare batch runs).
  std::vector<RunSpec> compareSpecs() const;

 signals:
  void changed();
  void edited();

 private:
  SessionState state_;
};

}  // namespace attnscope
