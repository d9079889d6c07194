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

void RunController::start(const RunSpec& spec) { startBatch({spec}); }

void RunController::startBatch(const std::vector<RunSpec>& specs) {
  cancel();
  wait();
  auto token = std::make_shared<CancelToken>();
  cancel_ = token;
  busy_ = true;
  const int generation = ++generation_;
  emit started();
  // The worker owns copies of everything it touches; results come back
  // through queued invocations on this object's thread, tagged with the
  // generation so a replaced batch cannot deliver late results.
  thread_ = QThread::create([this, specs, token, generation] {
    const int total = static_cast<int>(specs.size());
    auto post = [this, generation](auto fn) {
      QMetaObject::invokeMethod(this, [this, generation, fn] {
        if (generation == generation_) fn();
      }, Qt::QueuedConnection);
    };
    for (int index = 0; index < total; ++index) {
      RunCallbacks callbacks;
      callbacks.cancel = token.get();
      callbacks.progress = [this, post, index, total](const std::string& stage, double fraction) {
        const QString text = total > 1 ? QString("%1/%2: %3").arg(index + 1).arg(total).arg(QString::fromStdString(stage)) : QString::fromStdString(stage);
        post([this, text, f = (index + fraction) / total] { emit progress(text, f); });
      };
      std::shared_ptr<const RunResult> result;
      QString error;
      bool cancelled = false;
      try {
        result = std::make_shared<const RunResult>(runFromSpec(specs[static_cast<size_t>(index)], callbacks));
      } catch (const Error& e) {
        error = QString::fromStdString(e.what());
        cancelled = e.kind() == ErrorKind::Cancelled;
      } catch (const std::bad_alloc&) {
        error = tr("out of memory");
      } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
      }
      if (result) {
        post([this, index, result] {
          emit resultReady(index, result);
          emit finished(result);
        });
      } else {
        post([this, index, error, cancelled] {
          if (!cancelled) emit itemFailed(index, error);
          emit failed(error, cancelled);
        });
        if (cancelled) break;
      }
    }
    post([this] {
      busy_ = false;
      emit batchDone();
    });
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
