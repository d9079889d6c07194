// The session's run history: every compare batch and sweep the runner starts,
// with its specs and results, so any two can be compared later (Runs page) and
// the specs saved in a session file. One history per runner, created on first
// use, so pages and the window share it without being wired to each other.
#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "job_runner.hpp"

namespace attnscope {

struct RunRecord {
  enum class State { Running, Done, Cancelled, Failed, Restored };
  int number = 0;  // "run 3", in the order started
  JobKind kind = JobKind::Compare;
  JobId job = 0;
  QDateTime started;
  State state = State::Running;
  QString message;  // why it failed
  // Compare batch: the specs asked for and the items received, by batch index.
  std::vector<RunSpec> specs;
  std::vector<std::shared_ptr<const CompareItem>> items;
  // Sweep: the plan, its points as they came, the whole result at the end.
  std::optional<SweepSpec> sweepSpec;
  std::vector<SweepPoint> points;
  std::shared_ptr<const SweepResult> sweep;
  bool released = false;  // results dropped to bound memory (specs kept)

  QString label() const;        // "Run 3 · compare · dense, longformer · n = 1024"
  QString stateText() const;
  bool hasResults() const { return !items.empty() || !points.empty(); }
  const CompareItem* item(int index) const;
};

class RunHistory : public QObject {
  Q_OBJECT

 public:
  // Results are kept for this many of the latest runs; older runs keep their specs.
  static constexpr int kRunsWithResults = 20;

  explicit RunHistory(QObject* parent = nullptr);
  // The history of a runner (a child of it, made on first use and attached).
  static RunHistory* of(JobRunner* runner);
  void attach(JobRunner* runner);

  const std::vector<RunRecord>& runs() const { return runs_; }
  const RunRecord* find(int number) const;
  void clear();

  // Specs only (results are not saved).
  nlohmann::json toJson() const;
  // Replaces the history with restored runs (specs only), warnings for what was left out.
  void restoreJson(const nlohmann::json& runs, QStringList* warnings);

  // Recording, also used by tests to add known runs.
  RunRecord& beginRun(JobKind kind, JobId job);
  void addItem(JobId job, std::shared_ptr<const CompareItem> item);

 signals:
  void changed();
  void runAdded(int number);
  void runUpdated(int number);

 private:
  RunRecord* byJob(JobKind kind, JobId job);
  void finish(JobKind kind, JobId job, RunRecord::State state, const QString& message);
  void releaseOld();
  std::vector<RunRecord> runs_;
  int next_ = 1;
};

}  // namespace attnscope
