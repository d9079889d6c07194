#include "explorer_page.hpp"

#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "engine_text.hpp"
#include "map_to_heatmap.hpp"
#include "metrics_card.hpp"
#include "session_model.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {

bool sameParams(const Params& a, const Params& b) { return a.describe() == b.describe(); }

bool sameSpec(const AttentionSpec& a, const AttentionSpec& b) {
  return a.variant == b.variant && a.causal == b.causal && a.precision == b.precision && sameParams(a.params, b.params);
}

QString count(double v) { return QString::number(v, 'f', 0); }

QString scaled(double v, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T", "P"};
  int p = 0;
  while (std::abs(v) >= 1000 && p < 5) {
    v /= 1000;
    ++p;
  }
  return QString("%1 %2%3").arg(v, 0, 'g', 3).arg(prefixes[p]).arg(unit);
}

}  // namespace

ExplorerPage::ExplorerPage(const PageContext& context, QWidget* parent) : Page(parent), context_(context) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  failure_ = new QLabel(this);
  failure_->setWordWrap(true);
  failure_->hide();
  layout->addWidget(failure_);
  view_ = new ExplorerView(this);
  layout->addWidget(view_, 1);

  connect(view_, &ExplorerView::paramEdited, this, [this](const QString& name, const QString& value, bool finished) { editParam(name, value, finished); });
  connect(view_, &ExplorerView::variantChosen, this, [this](const QString& id) { showVariant(id.toStdString()); });
  connect(view_, &ExplorerView::causalEdited, this, &ExplorerPage::setCausal);
  connect(view_, &ExplorerView::maskRegionRequested, this, [this](qint64 i0, qint64 i1, qint64 j0, qint64 j1) { setMaskRegion(i0, i1, j0, j1); });
  connect(view_, &ImGuiCanvas::failed, this, [this](const QString& why) {
    failure_->setText(tr("The explorer cannot draw here: %1. The other pages work without it.").arg(why));
    failure_->show();
  });
  if (context_.session) connect(context_.session, &SessionModel::changed, this, &ExplorerPage::sessionChanged);
  if (JobRunner* runner = context_.runner) {
    connect(runner, &JobRunner::inputReady, this, [this](JobId, std::shared_ptr<const PreparedInput> input) {
      if (!input) return;
      // Another length: a zoomed region past its end shows the whole input instead.
      if (std::max(maskRegion_[1], maskRegion_[3]) > input->qkv.n()) setMaskRegion(-1, -1, -1, -1);
      input_ = std::move(input);
      refreshControls();
      requestFigures();
    });
    connect(runner, &JobRunner::exploreResult, this, [this](JobId id, std::shared_ptr<const ExploreResult> result) {
      if (id == running_) showResult(std::move(result));
    });
    auto ended = [this](JobKind kind, JobId id) {
      if (kind != JobKind::Explore || id != running_) return;
      running_ = 0;
      if (again_) {
        again_ = false;
        requestFigures();
      }
    };
    connect(runner, &JobRunner::jobFinished, this, [ended](JobKind kind, JobId id, bool) { ended(kind, id); });
    connect(runner, &JobRunner::jobFailed, this, [this, ended](JobKind kind, JobId id, const QString& message) {
      if (kind == JobKind::Explore && id == running_) {
        ExplorerFigures figures = view_->figures();
        figures.error = message.toStdString();
        figures.pending = false;
        view_->setFigures(std::move(figures));
      }
      ended(kind, id);
    });
  }
  spec_.variant.clear();  // none chosen yet: sessionChanged picks one
  sessionChanged();
}

bool ExplorerPage::hasResults() const {
  // Figures for the spec shown, on the input the compare batch loaded (the map needs it).
  return result_ && !again_ && sameSpec(result_->spec, spec_) && input_ && resultInput_ == input_;
}

void ExplorerPage::sessionChanged() {
  if (!context_.session) return;
  const SessionState& state = context_.session->state();
  if (state.variants.empty()) return;
  auto it = std::find(state.variants.begin(), state.variants.end(), spec_.variant);
  if (it == state.variants.end()) {
    // First look: the first compared variant that has something to slide.
    it = std::find_if(state.variants.begin(), state.variants.end(), [](const std::string& id) {
      const Variant* v = VariantRegistry::instance().find(id);
      return v && !v->info().params.empty();
    });
    if (it == state.variants.end()) it = state.variants.begin();
  }
  const size_t index = static_cast<size_t>(it - state.variants.begin());
  AttentionSpec spec = index < state.variantSpecs.size() ? state.variantSpecs[index] : makeSpec(*it);
  spec.variant = *it;
  spec.causal = state.base.attention.causal;
  spec.precision = state.base.attention.precision;
  if (sameSpec(spec, spec_) && view_->controls().current >= 0) return;
  spec_ = std::move(spec);
  lastError_.clear();
  refreshControls();
  requestFigures();
}

void ExplorerPage::refreshControls() {
  ExplorerControls controls;
  const std::vector<const Variant*> all = VariantRegistry::instance().all();
  for (const Variant* v : all) {
    if (v->info().id == spec_.variant) controls.current = static_cast<int>(controls.variantIds.size());
    controls.variantIds.push_back(v->info().id);
    controls.variantTitles.push_back(engineText(v->info().title).toStdString());
  }
  if (const Variant* v = VariantRegistry::instance().find(spec_.variant)) {
    controls.causalAllowed = v->info().supportsCausal;
    controls.schema = v->info().params;
  }
  controls.causal = spec_.causal;
  for (const ParamSpec& p : controls.schema) controls.values[p.name] = spec_.params.value(p.name);
  controls.n = input_ ? input_->qkv.n() : (context_.session ? context_.session->state().base.n : 0);
  view_->setControls(std::move(controls));
}

void ExplorerPage::showVariant(const std::string& id) {
  if (!VariantRegistry::instance().find(id) || !context_.session) return;
  SessionState state = context_.session->state();
  AttentionSpec spec;
  const auto it = std::find(state.variants.begin(), state.variants.end(), id);
  if (it == state.variants.end()) {
    // Exploring a variant puts it among the compared ones, so its columns follow the sliders.
    spec = makeSpec(id);
    spec.causal = state.base.attention.causal;
    state.variants.push_back(id);
    state.variantSpecs.push_back(spec);
    spec_ = spec;
    spec_.precision = state.base.attention.precision;
    context_.session->edit(std::move(state));
  } else {
    const size_t index = static_cast<size_t>(it - state.variants.begin());
    spec = index < state.variantSpecs.size() ? state.variantSpecs[index] : makeSpec(id);
    spec.variant = id;
    spec.causal = state.base.attention.causal;
    spec.precision = state.base.attention.precision;
    spec_ = spec;
  }
  lastError_.clear();
  refreshControls();
  requestFigures();
}

bool ExplorerPage::editParam(const QString& name, const QString& value, bool finished) {
  Params params = spec_.params;
  try {
    params.set(name.toStdString(), value.toStdString());
  } catch (const Error& e) {
    lastError_ = engineMessage(e.what());
    ExplorerFigures figures = view_->figures();
    figures.error = lastError_.toStdString();
    view_->setFigures(std::move(figures));
    refreshControls();  // the control goes back to the value in force
    return false;
  }
  lastError_.clear();
  spec_.params = params;
  requestFigures();
  if (finished && context_.session) {
    SessionState state = context_.session->state();
    auto it = std::find(state.variants.begin(), state.variants.end(), spec_.variant);
    if (it == state.variants.end()) {
      state.variants.push_back(spec_.variant);
      state.variantSpecs.push_back(makeSpec(spec_.variant));
      it = state.variants.end() - 1;
    }
    const size_t index = static_cast<size_t>(it - state.variants.begin());
    if (state.variantSpecs.size() < state.variants.size()) state.variantSpecs.resize(state.variants.size());
    state.variantSpecs[index].variant = spec_.variant;
    state.variantSpecs[index].params = params;
    if (index == 0) state.base.attention.params = params;
    context_.session->edit(std::move(state));
  }
  return true;
}

void ExplorerPage::setMaskRegion(int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if (i0 < 0 || j0 < 0) {
    i0 = j0 = 0;
    i1 = j1 = -1;
  }
  const int64_t wanted[4] = {i0, i1, j0, j1};
  if (std::equal(wanted, wanted + 4, maskRegion_)) return;
  std::copy(wanted, wanted + 4, maskRegion_);
  requestFigures();
}

void ExplorerPage::setCausal(bool causal) {
  if (!context_.session) return;
  SessionState state = context_.session->state();
  state.base.attention.causal = causal;
  for (AttentionSpec& s : state.variantSpecs) s.causal = causal;
  spec_.causal = causal;
  context_.session->edit(std::move(state));
  requestFigures();
}

void ExplorerPage::showEvent(QShowEvent* event) {
  Page::showEvent(event);
  if (stale_) requestFigures();
}

void ExplorerPage::requestFigures() {
  if (!context_.runner || spec_.variant.empty()) return;
  // Hidden, the page computes nothing (the compare batch has the machine); it catches up when shown.
  if (!isVisible()) {
    stale_ = true;
    return;
  }
  stale_ = false;
  if (running_) {
    again_ = true;  // only the latest spec waits
    ExplorerFigures figures = view_->figures();
    figures.pending = true;
    view_->setFigures(std::move(figures));
    return;
  }
  ExploreRequest request;
  request.input = input_;
  request.spec = spec_;
  request.maskI0 = maskRegion_[0];
  request.maskI1 = maskRegion_[1];
  request.maskJ0 = maskRegion_[2];
  request.maskJ1 = maskRegion_[3];
  if (context_.session) {
    const SessionState& state = context_.session->state();
    request.n = state.base.n;
    request.d = state.base.features.d;
    request.head = state.mapHead;
  }
  running_ = context_.runner->startExplore(request);
  runningInput_ = input_;
}

void ExplorerPage::showResult(std::shared_ptr<const ExploreResult> result) {
  result_ = std::move(result);
  resultInput_ = runningInput_;
  ExplorerFigures figures = figuresFor(*result_);
  figures.pending = again_;
  view_->setFigures(std::move(figures));
  if (hasResults()) emit resultsShown();
}

ExplorerFigures ExplorerPage::figuresFor(const ExploreResult& r) const {
  ExplorerFigures f;
  if (!r.error.empty()) {
    f.error = engineMessage(r.error).toStdString();
    return f;
  }
  std::shared_ptr<const std::vector<std::string>> labels;
  if (input_ && !input_->labels.empty()) labels = std::shared_ptr<const std::vector<std::string>>(input_, &input_->labels);
  if (r.mask) {
    const LayoutRaster& m = *r.mask;
    f.mask.title = tr("computed pairs").toStdString();
    f.mask.rows = m.rows;
    f.mask.cols = m.cols;
    f.mask.values = m.fraction;
    f.mask.i0 = m.i0;
    f.mask.i1 = m.i1;
    f.mask.j0 = m.j0;
    f.mask.j1 = m.j1;
    f.mask.labels = labels;
    f.mask.valueName = "computed";
    f.mask.colormap = Colormap::Inferno;
    // Square-root shading: a cell with a few computed pairs (one global token
    // among many, a random block) still shows once the mask is drawn small.
    f.mask.scale = ColorScale::Sqrt;
    f.mask.scaleMax = 1.0;
    f.maskSampled = m.sampledRows;
  } else if (r.family == "low-rank") {
    f.noMask = tr("%1 leaves no pair out: every query mixes every key through a product of rank k. Its map is on the right and on Compare.").arg(engineText(r.title)).toStdString();
  } else if (r.family == "hierarchical") {
    f.noMask = tr("%1 sees its own block pair by pair and every other block through one summary: no pair is left out, the far ones are blurred.").arg(engineText(r.title)).toStdString();
  } else {
    f.noMask = tr("%1 carries memory between segments: what a token sees depends on what earlier segments wrote, not on a fixed set of pairs.").arg(engineText(r.title)).toStdString();
  }
  if (r.preview) f.preview = heatmapFromGrid(*r.preview, tr("preview").toStdString(), labels);
  const double dense = r.denseCost.flops > 0 ? r.denseCost.flops : 1;
  f.facts = {
      {tr("tokens").toStdString(), count(static_cast<double>(r.n)).toStdString()},
      {tr("pairs computed").toStdString(), tr("%1 (%2% of n², %3)").arg(scaled(r.pairs.computed, "")).arg(100.0 * r.pairs.fraction, 0, 'f', 2)
                                               .arg(r.pairs.source == "layout" ? tr("exact") : tr("cost model")).toStdString()},
      {tr("FLOPs per head").toStdString(), tr("%1 (%2× dense)").arg(scaled(r.cost.flops, "FLOP")).arg(r.cost.flops / dense, 0, 'g', 3).toStdString()},
      {tr("workspace").toStdString(), formatBytes(r.cost.workspaceBytes).toStdString()},
      {tr("complexity").toStdString(), r.complexity},
      {tr("computed in").toStdString(), tr("%1 ms").arg(r.ms, 0, 'f', 1).toStdString()},
  };
  if (!lastError_.isEmpty()) f.error = lastError_.toStdString();
  return f;
}

void ExplorerPage::saveState(nlohmann::json& state) const {
  state["variant"] = spec_.variant;
  // A zoomed mask region comes back with the session (and with a lesson step recorded here).
  if (maskRegion_[1] >= 0) state["region"] = {maskRegion_[0], maskRegion_[1], maskRegion_[2], maskRegion_[3]};
}

void ExplorerPage::restoreState(const nlohmann::json& state) {
  if (state.is_object() && state.contains("variant") && state["variant"].is_string()) {
    const std::string id = state["variant"].get<std::string>();
    if (context_.session) {
      const auto& variants = context_.session->state().variants;
      if (std::find(variants.begin(), variants.end(), id) != variants.end()) showVariant(id);
    }
  }
  // rows [i0, i1) by keys [j0, j1); anything else (or none) shows the whole input.
  const nlohmann::json* region = state.is_object() && state.contains("region") ? &state["region"] : nullptr;
  const bool valid = region && region->is_array() && region->size() == 4 &&
                     std::all_of(region->begin(), region->end(), [](const nlohmann::json& v) { return v.is_number_integer() && v.get<int64_t>() >= 0; }) &&
                     (*region)[0].get<int64_t>() < (*region)[1].get<int64_t>() && (*region)[2].get<int64_t>() < (*region)[3].get<int64_t>();
  if (valid) setMaskRegion((*region)[0].get<int64_t>(), (*region)[1].get<int64_t>(), (*region)[2].get<int64_t>(), (*region)[3].get<int64_t>());
  else setMaskRegion(-1, -1, -1, -1);
}

QImage ExplorerPage::renderImage() const {
  if (view_->failure().isEmpty() && view_->isVisible()) return view_->renderImage();
  return const_cast<ExplorerPage*>(this)->grab().toImage();
}

Page* makeExplorerPage(const PageContext& context, QWidget* parent) { return new ExplorerPage(context, parent); }

}  // namespace attnscope
