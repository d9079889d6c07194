#include "run_controller.hpp"

#include <QMetaObject>

#include "common/error.hpp"

namespace attnscope {

RunController::RunController(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<const RunResult>>("std::shared_ptr<const attnscope::RunResult>");
}

RunController::~RunController() {
  cancel();
  wait();
}

void RunController::start(const RunSpec& spec) {
  cancel();
  wait();
  auto token = std::make_shared<CancelToken>();
  cancel_ = token;
  busy_ = true;
  const int generation = ++generation_;
  emit started();
  // The worker owns copies of everything it touches; results come back
  // through queued invocations on this object's thread.
  thread_ = QThread::create([this, spec, token, generation] {
    RunCallbacks callbacks;
    callbacks.cancel = token.get();
    callbacks.progress = [this, generation](const std::string& stage, double fraction) {
      QMetaObject::invokeMethod(this, [this, generation, s = QString::fromStdString(stage), fraction] {
        if (generation == generation_) emit progress(s, fraction);
      }, Qt::QueuedConnection);
    };
    std::shared_ptr<const RunResult> result;
    QString error;
    bool cancelled = false;
    try {
      result = std::make_shared<const RunResult>(runFromSpec(spec, callbacks));
    } catch (const Error& e) {
      error = QString::fromStdString(e.what());
      cancelled = e.kind() == ErrorKind::Cancelled;
    } catch (const std::bad_alloc&) {
      error = tr("out of memory");
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(this, [this, generation, result, error, cancelled] {
      if (generation != generation_) return;
      busy_ = false;
      if (result) emit finished(result);
      else emit failed(error, cancelled);
    }, Qt::QueuedConnection);
  });
  thread_->start();
}

void RunController::cancel() {
  if (cancel_) cancel_->cancel();
}

void RunController::wait() {
  if (thread_) {
    thread_->wait();
    delete thread_;
    thread_ = nullptr;
  }
}

}  // namespace attnscope
