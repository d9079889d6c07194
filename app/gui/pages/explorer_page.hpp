// Explorer page: one variant's parameters as ImGui sliders over its
// computed-pair mask and a preview of its effective map, both redrawn as a
// slider moves (on a worker, coalesced: while one computation runs, only the
// latest spec waits). It edits the same spec as the Qt forms: a finished edit
// (slider released, field confirmed) goes into the session, the forms follow
// and the compare batch reruns.
#pragma once

#include <QString>
#include <memory>
#include <optional>
#include <string>

#include "explorer_view.hpp"
#include "job_runner.hpp"
#include "page.hpp"

class QLabel;

namespace attnscope {

class ExplorerPage : public Page {
  Q_OBJECT

 public:
  ExplorerPage(const PageContext& context, QWidget* parent = nullptr);

  QString id() const override { return "explorer"; }
  QString title() const override { return tr("Explorer"); }
  bool hasResults() const override;
  void saveState(nlohmann::json& state) const override;
  void restoreState(const nlohmann::json& state) override;
  QImage renderImage() const override;

  ExplorerView* view() const { return view_; }
  const std::string& variant() const { return spec_.variant; }
  const AttentionSpec& spec() const { return spec_; }
  // The last figures' spec, once they are in (tests wait on it).
  std::shared_ptr<const ExploreResult> result() const { return result_; }
  // Explores a variant (checking it in the session when it is not).
  void showVariant(const std::string& id);
  // A parameter edit as the view makes it: a step of a drag, or finished
  // (then written to the session). False with the reason shown when invalid.
  bool editParam(const QString& name, const QString& value, bool finished);
  // The mask over rows [i0, i1) by keys [j0, j1) at full resolution where it fits; all -1: the whole input.
  void setMaskRegion(int64_t i0, int64_t i1, int64_t j0, int64_t j1);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void sessionChanged();
  void setCausal(bool causal);
  void refreshControls();
  void requestFigures();
  void showResult(std::shared_ptr<const ExploreResult> result);
  // Text for the figures' facts and the no-mask note.
  ExplorerFigures figuresFor(const ExploreResult& result) const;

  PageContext context_;
  ExplorerView* view_;
  QLabel* failure_;
  AttentionSpec spec_;
  std::shared_ptr<const PreparedInput> input_;
  std::shared_ptr<const ExploreResult> result_;
  std::shared_ptr<const PreparedInput> runningInput_, resultInput_;  // what the running and the shown figures used
  QString lastError_;
  JobId running_ = 0;
  bool again_ = false;  // the spec changed while a computation ran
  bool stale_ = false;  // the spec or input changed while the page was hidden
  int64_t maskRegion_[4] = {0, -1, 0, -1};  // i0, i1, j0, j1 (-1: to the end)
};

Page* makeExplorerPage(const PageContext& context, QWidget* parent);

}  // namespace attnscope
