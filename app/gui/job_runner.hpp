// Runs the engine off the GUI thread as typed jobs (compare batches, sweeps,
// map regions; later lessons). One cancel token per job; starting a job of a
// kind cancels the running job of that kind; results of a replaced job are
// dropped. Pages subscribe to the signals of the results they draw (the way a
// profiler's result pages subscribe to its parser), and never run an engine
// themselves.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "analysis/analysis_run.hpp"
#include "experiment/run.hpp"
#include "experiment/sweep.hpp"
#include "explore_job.hpp"

class QThread;

namespace attnscope {

// Explore: the explorer's mask and preview, quick and frequent; the window's
// progress bar and Cancel leave it out.
enum class JobKind { Compare, Sweep, Region, Explore };

// The input a compare batch ran on, loaded and featurized once for every
// variant. Kept by the items so a zoomed region is recomputed on the same Q/K/V.
struct PreparedInput {
  Qkv qkv;
  std::vector<std::string> labels;
  std::string name;
  SequenceKind kind = SequenceKind::Text;
  bool fromQkv = false;        // the file held Q/K/V: heads and d are the file's
  int64_t sourceLength = 0;    // positions before the crop
  std::vector<std::string> warnings;
};

// One variant of a compare batch: its measured run and the analysis of the
// selected head (map, spectrum, metrics against dense, memory trace), or why
// it failed. Plain data: pages only read it.
struct CompareItem {
  int index = 0;                 // position in the batch
  RunSpec spec;
  std::shared_ptr<const RunResult> run;            // null when failed
  std::shared_ptr<const AnalysisResult> analysis;  // null when failed or not asked
  std::shared_ptr<const PreparedInput> input;      // shared by the batch
  QString error;                 // readable reason when failed
};

struct CompareRequest {
  std::vector<RunSpec> specs;    // same input, one per variant
  AnalysisRequest analysis;      // what to analyse for each (head, map, spectrum, metrics)
  // Without analysis.map: the whole map at the default resolution (exact up to
  // kExactMapLimit tokens a side), or no map when false.
  bool fullMap = true;
  // Metrics against dense cost a dense pass per variant: skipped above this n.
  int64_t metricsMaxN = 16384;
};

// A region of the map recomputed at full resolution for some columns of a batch.
struct RegionRequest {
  std::shared_ptr<const PreparedInput> input;
  std::vector<int> indices;          // batch positions, same order as specs
  std::vector<AttentionSpec> specs;
  std::vector<std::string> backends;  // where each spec ran: its map is recomputed there
  int head = 0;
  MapRequest map;
};

struct RegionItem {
  int index = 0;
  std::shared_ptr<const AnalysisResult> analysis;  // map only; null when failed
  QString error;
};

using JobId = quint64;

class JobRunner : public QObject {
  Q_OBJECT

 public:
  explicit JobRunner(QObject* parent = nullptr);
  ~JobRunner() override;

  bool busy(JobKind kind) const;
  // The running job of a kind, 0 when none.
  JobId current(JobKind kind) const;
  // Blocks until no job runs (shutdown and tests).
  void waitAll();

 public slots:
  JobId startCompare(const attnscope::CompareRequest& request);
  JobId startSweep(const attnscope::SweepSpec& spec);
  JobId startRegion(const attnscope::RegionRequest& request);
  JobId startExplore(const attnscope::ExploreRequest& request);
  void cancel(attnscope::JobKind kind);
  void cancelAll();

 signals:
  void jobStarted(attnscope::JobKind kind, attnscope::JobId id);
  void progress(attnscope::JobKind kind, attnscope::JobId id, const QString& stage, double fraction);
  // Compare: the request, the input once loaded, one item per spec as it
  // finishes (failed ones too).
  void compareStarted(attnscope::JobId id, const attnscope::CompareRequest& request);
  void inputReady(attnscope::JobId id, std::shared_ptr<const attnscope::PreparedInput> input);
  void compareItem(attnscope::JobId id, std::shared_ptr<const attnscope::CompareItem> item);
  // Sweep: started with the plan, a point at a time, then the whole result
  // (cancelled sweeps deliver their finished points with cancelled = true).
  void sweepStarted(attnscope::JobId id, const attnscope::SweepSpec& spec);
  void sweepProgress(attnscope::JobId id, const attnscope::SweepProgress& progress);
  void sweepPoint(attnscope::JobId id, const attnscope::SweepPoint& point);
  void sweepFinished(attnscope::JobId id, std::shared_ptr<const attnscope::SweepResult> result);
  // Region: one item per column.
  void regionItem(attnscope::JobId id, std::shared_ptr<const attnscope::RegionItem> item);
  void exploreResult(attnscope::JobId id, std::shared_ptr<const attnscope::ExploreResult> result);
  // Exactly one of these ends every job (a replaced job ends cancelled at once).
  void jobFinished(attnscope::JobKind kind, attnscope::JobId id, bool cancelled);
  void jobFailed(attnscope::JobKind kind, attnscope::JobId id, const QString& message);

 private:
  struct Job {
    JobId id = 0;
    std::shared_ptr<CancelToken> token;
  };
  // Replaces the job of a kind (ending the old one cancelled) and runs work on a new thread.
  JobId launch(JobKind kind, std::function<void(JobId, std::shared_ptr<CancelToken>)> work);
  // Runs fn on the GUI thread if job id is still the live job of its kind.
  void post(JobKind kind, JobId id, std::function<void()> fn);
  void end(JobKind kind, JobId id, bool cancelled, const QString& error);
  bool live(JobKind kind, JobId id) const;

  void runCompare(JobId id, const CompareRequest& request, const CancelToken* token);
  void runSweepJob(JobId id, const SweepSpec& spec, const CancelToken* token);
  void runRegion(JobId id, const RegionRequest& request, const CancelToken* token);
  void runExplore(JobId id, const ExploreRequest& request, const CancelToken* token);

  // The last input loaded: a batch on the same input (only variants or their
  // parameters changed) reuses it instead of loading and featurizing again.
  std::shared_ptr<const PreparedInput> cachedInput(const std::string& key);
  void cacheInput(const std::string& key, std::shared_ptr<const PreparedInput> input);
  std::mutex cacheMutex_;
  std::string cacheKey_;
  std::shared_ptr<const PreparedInput> cache_;

  std::map<JobKind, Job> jobs_;
  std::vector<QThread*> threads_;
  JobId nextId_ = 1;
};

// What decides the prepared input of a spec (source, crop, loader and
// featurizer settings; a file's size and modification time).
std::string inputKey(const RunSpec& spec);

// Readable text for what a worker caught.
QString describeError(const std::exception& e);

}  // namespace attnscope

Q_DECLARE_METATYPE(attnscope::JobKind)
Q_DECLARE_METATYPE(attnscope::CompareRequest)
Q_DECLARE_METATYPE(attnscope::RegionRequest)
Q_DECLARE_METATYPE(attnscope::SweepSpec)
Q_DECLARE_METATYPE(attnscope::SweepProgress)
Q_DECLARE_METATYPE(attnscope::SweepPoint)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::PreparedInput>)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::CompareItem>)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::SweepResult>)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::RegionItem>)
Q_DECLARE_METATYPE(attnscope::ExploreRequest)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::ExploreResult>)
