#include "tradeoff_page.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "engine_text.hpp"
#include "session_model.hpp"
#include "tradeoff_chart.hpp"
#include "engine_message.hpp"

namespace attnscope {

std::vector<TradeoffParameter> tradeoffParameters(const std::vector<std::string>& variants) {
  std::vector<TradeoffParameter> out;
  for (const std::string& id : variants) {
    const Variant* v = VariantRegistry::instance().find(id);
    if (!v) continue;
    for (const ParamSpec& p : v->info().params) {
      // Seeds are not a trade-off: they pick a draw, not a cost.
      if (p.type != ParamType::Int || p.name == "seed") continue;
      auto it = std::find_if(out.begin(), out.end(), [&](const TradeoffParameter& t) { return t.name == p.name; });
      if (it == out.end()) {
        TradeoffParameter t;
        t.name = p.name;
        t.min = static_cast<int64_t>(p.min);
        t.max = static_cast<int64_t>(p.max);
        t.defaultValue = std::get<int64_t>(p.defaultValue);
        t.help = p.help;
        t.unit = p.unit;
        out.push_back(t);
        it = out.end() - 1;
      } else {
        // A shared name: the values must suit every variant that has it.
        it->min = std::max(it->min, static_cast<int64_t>(p.min));
        it->max = std::min(it->max, static_cast<int64_t>(p.max));
      }
      it->variants.push_back(id);
    }
  }
  return out;
}

std::string defaultTradeoffValues(const TradeoffParameter& p) {
  std::vector<int64_t> values;
  if (p.min <= 0 && p.defaultValue <= 0) values.push_back(0);
  int64_t lo = std::max<int64_t>({1, p.min, p.defaultValue / 4});
  const int64_t hi = std::min<int64_t>(p.max, std::max<int64_t>(p.defaultValue * 4, 16));
  for (int64_t v = lo; v <= hi && values.size() < 8; v *= 2) values.push_back(v);
  if (values.empty()) values.push_back(std::clamp(p.defaultValue, p.min, p.max));
  std::string text;
  for (int64_t v : values) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}

TradeoffPage::TradeoffPage(const PageContext& context, QWidget* parent) : Page(parent), context_(context) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Parameter"), this));
  parameter_ = new QComboBox(this);
  parameter_->setMinimumWidth(220);
  controls->addWidget(parameter_);
  controls->addWidget(new QLabel(tr("Values"), this));
  values_ = new QLineEdit(this);
  values_->setToolTip(tr("FROM:TO (doubling), FROM:TO:xF, FROM:TO:+S or V1,V2,..."));
  values_->setMaximumWidth(220);
  controls->addWidget(values_);
  controls->addWidget(new QLabel(tr("n"), this));
  n_ = new QSpinBox(this);
  n_->setRange(16, 1 << 20);
  n_->setValue(2048);
  controls->addWidget(n_);
  controls->addWidget(new QLabel(tr("Show"), this));
  metric_ = new QComboBox(this);
  metric_->addItem(tr("error against dense"), static_cast<int>(TradeoffChart::Error));
  metric_->addItem(tr("attention recall"), static_cast<int>(TradeoffChart::Recall));
  metric_->setToolTip(tr("Recall: the share of dense attention mass on the pairs the variant weighs (head 0, mean over queries)"));
  controls->addWidget(metric_);
  run_ = new QPushButton(tr("Run sweep"), this);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  controls->addWidget(run_);
  controls->addWidget(cancel_);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  controls->addWidget(progress_, 1);
  layout->addLayout(controls);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  layout->addWidget(status_);
  chart_ = new TradeoffChart(this);
  layout->addWidget(chart_, 1);
  auto* note = new QLabel(tr("Each point is one value of the parameter: further left is faster (or smaller); a lower error or a higher "
                             "recall is closer to dense. Error is of the output O over all heads; recall is of head 0."),
                          this);
  note->setWordWrap(true);
  layout->addWidget(note);

  connect(run_, &QPushButton::clicked, this, &TradeoffPage::startSweep);
  connect(cancel_, &QPushButton::clicked, this, &TradeoffPage::cancelSweep);
  connect(parameter_, &QComboBox::currentIndexChanged, this, [this](int index) {
    if (index >= 0 && index < static_cast<int>(params_.size())) {
      values_->setText(QString::fromStdString(defaultTradeoffValues(params_[static_cast<size_t>(index)])));
      values_->setToolTip(engineText(params_[static_cast<size_t>(index)].help));
    }
  });
  connect(chart_, &TradeoffChart::hovered, this, &Page::message);
  connect(metric_, &QComboBox::currentIndexChanged, this,
          [this] { chart_->setMetric(static_cast<TradeoffChart::Metric>(metric_->currentData().toInt())); });
  if (context_.session) {
    connect(context_.session, &SessionModel::changed, this, &TradeoffPage::refreshParameters);
    n_->setValue(static_cast<int>(std::clamp<int64_t>(context_.session->state().base.n, 256, 8192)));
  }
  if (JobRunner* r = context_.runner) {
    connect(r, &JobRunner::sweepPoint, this, [this](JobId id, const SweepPoint& p) {
      if (id == job_ && id != 0) chart_->addPoint(p);
    });
    connect(r, &JobRunner::sweepProgress, this, [this](JobId id, const SweepProgress& p) {
      if (id != job_ || id == 0) return;
      progress_->setRange(0, std::max(1, p.total));
      progress_->setValue(p.done);
      status_->setText(tr("%1 of %2 points").arg(p.done).arg(p.total) + (p.current.empty() ? QString() : tr(" · now %1").arg(engineProgressText(p.current))));
    });
    connect(r, &JobRunner::sweepFinished, this, [this](JobId id, std::shared_ptr<const SweepResult> result) {
      if (id != job_ || id == 0 || !result) return;
      TradeoffData data = tradeoffData(result->points, sweptName_);
      if (data.n == 0 && !result->spec.lengths.empty()) data.n = result->spec.lengths.front();
      chart_->setData(data);
      int failed = 0;
      QString firstFailure;
      for (const SweepPoint& p : result->points)
        if (p.status != PointStatus::Done) {
          if (failed++ == 0) firstFailure = QString::fromStdString(p.seriesKey() + ": " + p.message);
        }
      QString text = result->cancelled ? tr("Cancelled: %1 of %2 points kept").arg(result->points.size()).arg(result->planned)
                                       : tr("Done: %1 points in %2 s").arg(result->points.size()).arg(result->wallSeconds, 0, 'f', 1);
      if (failed) text += tr(" · %1 not run (first: %2)").arg(failed).arg(firstFailure);
      status_->setText(text);
      finished_ = true;
      emit resultsShown();
    });
    connect(r, &JobRunner::jobFinished, this, [this](JobKind k, JobId id, bool cancelled) { onJobEnded(k, id, cancelled, {}); });
    connect(r, &JobRunner::jobFailed, this, [this](JobKind k, JobId id, const QString& e) { onJobEnded(k, id, false, e); });
  }
  refreshParameters();
}

void TradeoffPage::refreshParameters() {
  const QString keep = parameter_->currentData().toString();
  const QString keepValues = values_->text();
  params_ = tradeoffParameters(context_.session ? context_.session->state().variants : std::vector<std::string>{});
  QSignalBlocker block(parameter_);
  parameter_->clear();
  for (const TradeoffParameter& p : params_) {
    QStringList owners;
    for (const std::string& v : p.variants) owners << QString::fromStdString(v);
    parameter_->addItem(tr("%1 (%2)").arg(QString::fromStdString(p.name), owners.join(", ")), QString::fromStdString(p.name));
  }
  const int found = parameter_->findData(keep);
  parameter_->setCurrentIndex(found >= 0 ? found : 0);
  if (found >= 0) values_->setText(keepValues);
  else if (!params_.empty()) values_->setText(QString::fromStdString(defaultTradeoffValues(params_[static_cast<size_t>(std::max(0, parameter_->currentIndex()))])));
  if (params_.empty()) status_->setText(tr("Check a variant with an integer parameter (window, globals, k, features, ...) to sweep it."));
  else if (!job_ && !finished_) status_->setText(tr("Pick a parameter and its values, then Run sweep."));
}

bool TradeoffPage::selectParameter(const QString& name) {
  const int index = parameter_->findData(name);
  if (index < 0) return false;
  parameter_->setCurrentIndex(index);
  return true;
}

SweepSpec TradeoffPage::sweepSpec() const {
  const int index = parameter_->currentIndex();
  if (index < 0 || index >= static_cast<int>(params_.size()))
    throw Error(ErrorKind::InvalidArgument, tr("no checked variant has an integer parameter to sweep").toStdString());
  const TradeoffParameter& p = params_[static_cast<size_t>(index)];
  SweepSpec spec;
  const SessionState& state = context_.session->state();
  spec.base = state.base;
  spec.base.map.reset();
  spec.base.warmup = 1;
  spec.base.repeats = 3;
  spec.base.minMeasureSeconds = 0;
  spec.variants = p.variants;
  // The other parameters stay as the user set them.
  for (size_t i = 0; i < state.variants.size() && i < state.variantSpecs.size(); ++i) {
    if (std::find(p.variants.begin(), p.variants.end(), state.variants[i]) == p.variants.end()) continue;
    const auto defaults = makeSpec(state.variants[i]).params.describe();
    for (const auto& chosen : state.variantSpecs[i].params.describe())
      if (chosen.first != p.name && std::find(defaults.begin(), defaults.end(), chosen) == defaults.end())
        spec.params.push_back({state.variants[i], chosen.first, {chosen.second}});
  }
  spec.params.push_back({"", p.name, parseValues(values_->text().trimmed().toStdString())});
  spec.lengths = {n_->value()};
  spec.errorVsDense = true;
  spec.recall = true;
  spec.errorMaxN = std::max<int64_t>(spec.errorMaxN, n_->value());
  return spec;
}

void TradeoffPage::startSweep() {
  if (!context_.runner || !context_.session) return;
  SweepSpec spec;
  try {
    spec = sweepSpec();
    validateSweep(spec);
  } catch (const Error& e) {
    status_->setText(tr("Cannot start the sweep: %1").arg(engineMessage(e.what())));
    emit message(status_->text());
    return;
  }
  sweptName_ = spec.params.back().name;
  finished_ = false;
  chart_->setParameter(sweptName_, spec.lengths.front());
  status_->setText(tr("Sweeping %1 over %2 value(s) for %3 variant(s) at n = %4…")
                       .arg(QString::fromStdString(sweptName_))
                       .arg(spec.params.back().values.size())
                       .arg(spec.variants.size())
                       .arg(spec.lengths.front()));
  job_ = context_.runner->startSweep(spec);
  setRunning(true);
}

void TradeoffPage::cancelSweep() {
  if (context_.runner && job_ != 0 && context_.runner->current(JobKind::Sweep) == job_) context_.runner->cancel(JobKind::Sweep);
}

void TradeoffPage::onJobEnded(JobKind kind, JobId id, bool cancelled, const QString& error) {
  if (kind != JobKind::Sweep || id != job_ || id == 0) return;
  job_ = 0;
  setRunning(false);
  if (!error.isEmpty()) {
    status_->setText(tr("The sweep failed: %1").arg(error));
    emit message(status_->text());
  } else if (cancelled && !finished_) {
    status_->setText(tr("Stopped: %1 points kept").arg(chart_->pointCount()));
  }
}

void TradeoffPage::setRunning(bool running) {
  run_->setEnabled(!running);
  cancel_->setEnabled(running);
  progress_->setRange(0, running ? 0 : 1);
  if (!running) progress_->setValue(1);
}

void TradeoffPage::saveState(nlohmann::json& state) const {
  state["parameter"] = parameter_->currentData().toString().toStdString();
  state["values"] = values_->text().toStdString();
  state["n"] = n_->value();
  state["show"] = metric_->currentIndex() == 1 ? "recall" : "error";
}

void TradeoffPage::restoreState(const nlohmann::json& state) {
  if (!state.is_object()) return;
  if (state.contains("parameter") && state["parameter"].is_string()) selectParameter(QString::fromStdString(state["parameter"].get<std::string>()));
  if (state.contains("values") && state["values"].is_string()) values_->setText(QString::fromStdString(state["values"].get<std::string>()));
  if (state.contains("n") && state["n"].is_number_integer()) n_->setValue(state["n"].get<int>());
  if (state.contains("show") && state["show"].is_string()) metric_->setCurrentIndex(state["show"].get<std::string>() == "recall" ? 1 : 0);
}

Page* makeTradeoffPage(const PageContext& context, QWidget* parent) { return new TradeoffPage(context, parent); }

}  // namespace attnscope
