// Runs the engine off the GUI thread: one run at a time, progress reported,
// cancel honoured between tiles, results handed over as plain structs.
#pragma once

#include <QObject>
#include <QThread>
#include <memory>
#include <vector>

#include "experiment/run.hpp"

namespace attnscope {

class RunController : public QObject {
  Q_OBJECT

 public:
  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;

  bool busy() const { return busy_; }

 public slots:
  // Starts a run; a run already in progress is cancelled first.
  void start(const attnscope::RunSpec& spec);
  // Runs several specs one after another (the compare area); one failing
  // spec is reported and the others still run. Cancel stops the whole batch.
  void startBatch(const std::vector<attnscope::RunSpec>& specs);
  void cancel();
  // Blocks until the current run (if any) has stopped. For shutdown and tests.
  void wait();

 signals:
  void started();
  void progress(const QString& stage, double fraction);
  // Per spec: a result, or a failure (cancelled: the batch stopped there).
  void resultReady(int index, std::shared_ptr<const attnscope::RunResult> result);
  void finished(std::shared_ptr<const attnscope::RunResult> result);
  void itemFailed(int index, const QString& message);
  void failed(const QString& message, bool cancelled);
  // After the last spec of a batch (or the cancellation).
  void batchDone();

 private:
  QThread* thread_ = nullptr;
  std::shared_ptr<CancelToken> cancel_;
  bool busy_ = false;
  int generation_ = 0;
};

}  // namespace attnscope
