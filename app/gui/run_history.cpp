#include "run_history.hpp"

#include "session_file.hpp"

namespace attnscope {

namespace {

QString variantList(const std::vector<std::string>& ids) {
  QStringList names;
  for (const std::string& id : ids) names << QString::fromStdString(id);
  return names.join(", ");
}

}  // namespace

QString RunRecord::label() const {
  if (kind == JobKind::Sweep && sweepSpec) {
    QString text = RunHistory::tr("Run %1 · sweep · %2").arg(number).arg(variantList(sweepSpec->variants));
    if (!sweepSpec->lengths.empty())
      text += RunHistory::tr(" · n = %1…%2").arg(sweepSpec->lengths.front()).arg(sweepSpec->lengths.back());
    for (const ParamAxis& a : sweepSpec->params)
      if (a.values.size() > 1) text += RunHistory::tr(" · %1 swept").arg(QString::fromStdString(a.name));
    return text;
  }
  std::vector<std::string> ids;
  for (const RunSpec& s : specs) ids.push_back(s.attention.variant);
  QString text = RunHistory::tr("Run %1 · compare · %2").arg(number).arg(variantList(ids));
  if (!specs.empty()) text += RunHistory::tr(" · n = %1").arg(specs.front().n);
  return text;
}

QString RunRecord::stateText() const {
  switch (state) {
    case State::Running: return RunHistory::tr("running");
    case State::Done: return released ? RunHistory::tr("done (results released)") : RunHistory::tr("done");
    case State::Cancelled: return RunHistory::tr("cancelled");
    case State::Failed: return RunHistory::tr("failed: %1").arg(message);
    case State::Restored: return RunHistory::tr("from the session file (specs only: run again for results)");
  }
  return {};
}

const CompareItem* RunRecord::item(int index) const {
  for (const auto& it : items)
    if (it && it->index == index) return it.get();
  return nullptr;
}

RunHistory::RunHistory(QObject* parent) : QObject(parent) {}

RunHistory* RunHistory::of(JobRunner* runner) {
  if (!runner) return nullptr;
  if (auto* h = runner->findChild<RunHistory*>(QString(), Qt::FindDirectChildrenOnly)) return h;
  auto* h = new RunHistory(runner);
  h->attach(runner);
  return h;
}

void RunHistory::attach(JobRunner* runner) {
  connect(runner, &JobRunner::compareStarted, this, [this](JobId id, const CompareRequest& request) {
    RunRecord& r = beginRun(JobKind::Compare, id);
    r.specs = request.specs;
    emit runUpdated(r.number);
  });
  connect(runner, &JobRunner::compareItem, this, [this](JobId id, std::shared_ptr<const CompareItem> item) { addItem(id, std::move(item)); });
  connect(runner, &JobRunner::sweepStarted, this, [this](JobId id, const SweepSpec& spec) {
    RunRecord& r = beginRun(JobKind::Sweep, id);
    r.sweepSpec = spec;
    emit runUpdated(r.number);
  });
  connect(runner, &JobRunner::sweepPoint, this, [this](JobId id, const SweepPoint& point) {
    if (RunRecord* r = byJob(JobKind::Sweep, id)) {
      r->points.push_back(point);
      emit runUpdated(r->number);
    }
  });
  connect(runner, &JobRunner::sweepFinished, this, [this](JobId id, std::shared_ptr<const SweepResult> result) {
    if (RunRecord* r = byJob(JobKind::Sweep, id)) {
      r->sweep = result;
      r->points = result->points;
      emit runUpdated(r->number);
    }
  });
  connect(runner, &JobRunner::jobFinished, this,
          [this](JobKind kind, JobId id, bool cancelled) { finish(kind, id, cancelled ? RunRecord::State::Cancelled : RunRecord::State::Done, {}); });
  connect(runner, &JobRunner::jobFailed, this, [this](JobKind kind, JobId id, const QString& message) { finish(kind, id, RunRecord::State::Failed, message); });
}

RunRecord& RunHistory::beginRun(JobKind kind, JobId job) {
  RunRecord r;
  r.number = next_++;
  r.kind = kind;
  r.job = job;
  r.started = QDateTime::currentDateTime();
  runs_.push_back(std::move(r));
  releaseOld();
  emit runAdded(runs_.back().number);
  emit changed();
  return runs_.back();
}

void RunHistory::addItem(JobId job, std::shared_ptr<const CompareItem> item) {
  RunRecord* r = byJob(JobKind::Compare, job);
  if (!r || !item) return;
  r->items.push_back(std::move(item));
  emit runUpdated(r->number);
}

const RunRecord* RunHistory::find(int number) const {
  for (const RunRecord& r : runs_)
    if (r.number == number) return &r;
  return nullptr;
}

RunRecord* RunHistory::byJob(JobKind kind, JobId job) {
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it)
    if (it->kind == kind && it->job == job && it->state != RunRecord::State::Restored) return &*it;
  return nullptr;
}

void RunHistory::finish(JobKind kind, JobId job, RunRecord::State state, const QString& message) {
  RunRecord* r = byJob(kind, job);
  if (!r || r->state != RunRecord::State::Running) return;
  r->state = state;
  r->message = message;
  emit runUpdated(r->number);
  emit changed();
}

void RunHistory::releaseOld() {
  int kept = 0;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {
    if (!it->hasResults() && it->state != RunRecord::State::Running) continue;
    if (++kept <= kRunsWithResults) continue;
    it->items.clear();
    it->points.clear();
    it->sweep.reset();
    it->released = true;
  }
}

void RunHistory::clear() {
  runs_.clear();
  emit changed();
}

nlohmann::json RunHistory::toJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const RunRecord& r : runs_) {
    nlohmann::json j;
    j["number"] = r.number;
    j["started"] = r.started.toString(Qt::ISODate).toStdString();
    if (r.kind == JobKind::Sweep && r.sweepSpec) {
      j["kind"] = "sweep";
      j["sweep"] = sweepSpecToJson(*r.sweepSpec);
    } else {
      j["kind"] = "compare";
      nlohmann::json specs = nlohmann::json::array();
      for (const RunSpec& s : r.specs) specs.push_back(runSpecToJson(s));
      j["specs"] = specs;
    }
    out.push_back(std::move(j));
  }
  return out;
}

void RunHistory::restoreJson(const nlohmann::json& runs, QStringList* warnings) {
  // Every run names the same input: say what is missing once.
  QStringList local;
  const auto flush = [&] {
    if (warnings)
      for (const QString& w : local)
        if (!warnings->contains(w)) warnings->push_back(w);
  };
  runs_.clear();
  next_ = 1;
  if (runs.is_array()) {
    for (const nlohmann::json& j : runs) {
      if (!j.is_object()) continue;
      RunRecord r;
      r.state = RunRecord::State::Restored;
      const std::string kind = j.value("kind", std::string("compare"));
      r.started = QDateTime::fromString(QString::fromStdString(j.value("started", std::string())), Qt::ISODate);
      if (kind == "sweep") {
        r.kind = JobKind::Sweep;
        r.sweepSpec = sweepSpecFromJson(j.value("sweep", nlohmann::json::object()), &local);
      } else {
        r.kind = JobKind::Compare;
        const nlohmann::json specs = j.value("specs", nlohmann::json::array());
        if (specs.is_array())
          for (const nlohmann::json& s : specs) r.specs.push_back(runSpecFromJson(s, &local));
      }
      r.number = next_++;
      runs_.push_back(std::move(r));
    }
  }
  flush();
  emit changed();
}

}  // namespace attnscope
