#include "job_runner.hpp"

#include <QMetaObject>
#include <QDateTime>
#include <QFileInfo>
#include <QThread>
#include <algorithm>
#include <new>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "engine_text.hpp"
#include "engine_message.hpp"

namespace attnscope {

namespace {

bool isCancellation(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error && error->kind() == ErrorKind::Cancelled;
}

}  // namespace

std::string inputKey(const RunSpec& spec) {
  const LoadOptions& l = spec.load;
  std::string key = "sample=" + spec.sample + ";input=" + spec.inputFile + ";qkv=" + spec.qkvFile + ";n=" + std::to_string(spec.n) +
                    ";seed=" + std::to_string(spec.sampleSeed);
  for (const std::string& file : {spec.inputFile, spec.qkvFile}) {
    if (file.empty()) continue;
    const QFileInfo info(QString::fromStdString(file));
    key += ";size=" + std::to_string(info.size()) + ";mtime=" + std::to_string(info.lastModified().toMSecsSinceEpoch());
  }
  const FeaturizeOptions& f = spec.features;
  key += ";heads=" + std::to_string(f.heads) + ";d=" + std::to_string(f.d) + ";dmodel=" + std::to_string(f.dModel) +
         ";pos=" + positionsName(f.positions) + ";tied=" + std::to_string(f.tiedQK) + ";fseed=" + std::to_string(f.seed);
  key += ";max=" + std::to_string(l.maxTokens) + ";nonfinite=" + std::to_string(l.allowNonFinite) + ";format=" + std::to_string(static_cast<int>(l.format)) +
         ";text=" + std::to_string(static_cast<int>(l.textMode)) + ";record=" + l.fastaRecord + ";" + std::to_string(l.fastaRecordIndex) +
         ";kmer=" + std::to_string(l.kmer) + ":" + std::to_string(l.kmerStride) + ";csv=" + l.csvColumn + ":" + std::to_string(int{l.csvDelimiter}) + ":" +
         std::to_string(static_cast<int>(l.csvHeader)) + ";missing=" + std::to_string(static_cast<int>(l.missing)) +
         ";fw=" + std::to_string(l.featureWidth) + ":" + std::to_string(l.featureSeed) + ";role=" + std::to_string(static_cast<int>(l.role)) +
         ";maxbytes=" + std::to_string(l.maxBytes);
  for (const auto& [role, name] : l.tensorNames) key += ";t:" + role + "=" + name;
  return key;
}

std::shared_ptr<const PreparedInput> JobRunner::cachedInput(const std::string& key) {
  const std::lock_guard lock(cacheMutex_);
  return key == cacheKey_ ? cache_ : nullptr;
}

void JobRunner::cacheInput(const std::string& key, std::shared_ptr<const PreparedInput> input) {
  const std::lock_guard lock(cacheMutex_);
  cacheKey_ = key;
  cache_ = std::move(input);
}

QString describeError(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return JobRunner::tr("out of memory");
  return engineMessage(e.what());
}

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<attnscope::JobKind>("attnscope::JobKind");
  qRegisterMetaType<attnscope::JobId>("attnscope::JobId");
  qRegisterMetaType<attnscope::CompareRequest>("attnscope::CompareRequest");
  qRegisterMetaType<attnscope::RegionRequest>("attnscope::RegionRequest");
  qRegisterMetaType<attnscope::SweepSpec>("attnscope::SweepSpec");
  qRegisterMetaType<attnscope::SweepProgress>("attnscope::SweepProgress");
  qRegisterMetaType<attnscope::SweepPoint>("attnscope::SweepPoint");
  qRegisterMetaType<std::shared_ptr<const attnscope::PreparedInput>>("std::shared_ptr<const attnscope::PreparedInput>");
  qRegisterMetaType<std::shared_ptr<const attnscope::CompareItem>>("std::shared_ptr<const attnscope::CompareItem>");
  qRegisterMetaType<std::shared_ptr<const attnscope::SweepResult>>("std::shared_ptr<const attnscope::SweepResult>");
  qRegisterMetaType<std::shared_ptr<const attnscope::RegionItem>>("std::shared_ptr<const attnscope::RegionItem>");
  qRegisterMetaType<attnscope::ExploreRequest>("attnscope::ExploreRequest");
  qRegisterMetaType<std::shared_ptr<const attnscope::ExploreResult>>("std::shared_ptr<const attnscope::ExploreResult>");
}

JobRunner::~JobRunner() {
  cancelAll();
  waitAll();
  qDeleteAll(threads_);
}

bool JobRunner::busy(JobKind kind) const { return current(kind) != 0; }

JobId JobRunner::current(JobKind kind) const {
  const auto it = jobs_.find(kind);
  return it == jobs_.end() ? 0 : it->second.id;
}

bool JobRunner::live(JobKind kind, JobId id) const { return id != 0 && current(kind) == id; }

void JobRunner::waitAll() {
  for (QThread* t : threads_) t->wait();
}

void JobRunner::cancel(JobKind kind) {
  const auto it = jobs_.find(kind);
  if (it != jobs_.end()) it->second.token->cancel();
}

void JobRunner::cancelAll() {
  for (auto& [kind, job] : jobs_) job.token->cancel();
}

JobId JobRunner::launch(JobKind kind, std::function<void(JobId, std::shared_ptr<CancelToken>)> work) {
  // The replaced job ends here, cancelled; whatever it still posts is dropped.
  if (const JobId old = current(kind)) {
    jobs_[kind].token->cancel();
    jobs_.erase(kind);
    emit jobFinished(kind, old, true);
  }
  const JobId id = nextId_++;
  auto token = std::make_shared<CancelToken>();
  jobs_[kind] = Job{id, token};
  emit jobStarted(kind, id);
  // The worker owns copies of everything it reads; the old thread is not
  // waited for, so starting a job never blocks the window.
  QThread* thread = QThread::create([work = std::move(work), id, token] { work(id, token); });
  threads_.push_back(thread);
  connect(thread, &QThread::finished, this, [this, thread] {
    threads_.erase(std::remove(threads_.begin(), threads_.end(), thread), threads_.end());
    thread->deleteLater();
  });
  thread->start();
  return id;
}

void JobRunner::post(JobKind kind, JobId id, std::function<void()> fn) {
  QMetaObject::invokeMethod(
      this, [this, kind, id, fn = std::move(fn)] {
        if (live(kind, id)) fn();
      },
      Qt::QueuedConnection);
}

void JobRunner::end(JobKind kind, JobId id, bool cancelled, const QString& error) {
  post(kind, id, [this, kind, id, cancelled, error] {
    jobs_.erase(kind);
    if (!error.isEmpty() && !cancelled) emit jobFailed(kind, id, error);
    else emit jobFinished(kind, id, cancelled);
  });
}

JobId JobRunner::startCompare(const CompareRequest& request) {
  const JobId id = launch(JobKind::Compare, [this, request](JobId job, std::shared_ptr<CancelToken> token) { runCompare(job, request, token.get()); });
  emit compareStarted(id, request);
  return id;
}

JobId JobRunner::startSweep(const SweepSpec& spec) {
  const JobId id = launch(JobKind::Sweep, [this, spec](JobId job, std::shared_ptr<CancelToken> token) { runSweepJob(job, spec, token.get()); });
  emit sweepStarted(id, spec);
  return id;
}

JobId JobRunner::startRegion(const RegionRequest& request) {
  return launch(JobKind::Region, [this, request](JobId job, std::shared_ptr<CancelToken> token) { runRegion(job, request, token.get()); });
}

JobId JobRunner::startExplore(const ExploreRequest& request) {
  return launch(JobKind::Explore, [this, request](JobId job, std::shared_ptr<CancelToken> token) { runExplore(job, request, token.get()); });
}

void JobRunner::runExplore(JobId id, const ExploreRequest& request, const CancelToken* token) {
  const JobKind kind = JobKind::Explore;
  try {
    auto result = std::make_shared<const ExploreResult>(exploreSpec(request, token));
    post(kind, id, [this, id, result] { emit exploreResult(id, result); });
    end(kind, id, false, QString());
  } catch (const std::exception& e) {
    end(kind, id, isCancellation(e), describeError(e));
  }
}

void JobRunner::runCompare(JobId id, const CompareRequest& request, const CancelToken* token) {
  const JobKind kind = JobKind::Compare;
  if (request.specs.empty()) {
    end(kind, id, false, tr("no variant is checked"));
    return;
  }
  const int total = static_cast<int>(request.specs.size());
  auto report = [this, id](const QString& stage, double fraction) {
    post(JobKind::Compare, id, [this, id, stage, fraction] { emit progress(JobKind::Compare, id, stage, fraction); });
  };

  // Load and featurize once: every column runs on the same Q/K/V.
  const RunSpec& base = request.specs.front();
  const std::string key = inputKey(base);
  Trace preparation;  // load and featurize spans, when this batch did them
  std::shared_ptr<const PreparedInput> input = cachedInput(key);
  if (!input) {
    try {
      report(tr("loading the input"), 0);
      auto prepared = std::make_shared<PreparedInput>();
      RunSpec whole = base;
      if (base.sample.empty()) whole.n = 0;  // a file: read all of it, then crop, to tell how long it was
      Sequence seq = loadInput(whole, &preparation);
      prepared->sourceLength = seq.length();
      if (base.sample.empty() && base.n > 0 && seq.length() > base.n) seq.crop(base.n);
      prepared->qkv = prepareQkv(base, seq, &preparation, token);
      prepared->labels = std::move(seq.labels);
      prepared->name = seq.name;
      prepared->kind = seq.kind;
      prepared->fromQkv = seq.hasQkv;
      prepared->warnings = std::move(seq.warnings);
      input = prepared;
      cacheInput(key, input);
    } catch (const std::exception& e) {
      end(kind, id, isCancellation(e), describeError(e));
      return;
    }
  }
  post(kind, id, [this, id, input] { emit inputReady(id, input); });

  const Qkv& qkv = input->qkv;
  const std::vector<std::string>* labels = input->labels.empty() ? nullptr : &input->labels;
  bool cancelled = false;
  for (int index = 0; index < total && !cancelled; ++index) {
    auto item = std::make_shared<CompareItem>();
    item->index = index;
    item->spec = request.specs[static_cast<size_t>(index)];
    item->spec.map.reset();  // the analysis draws the map
    item->input = input;
    const QString variant = QString::fromStdString(item->spec.attention.variant);
    RunCallbacks callbacks;
    callbacks.cancel = token;
    callbacks.progress = [&report, index, total, variant](const std::string& stage, double f) {
      report(tr("%1/%2 %3: %4").arg(index + 1).arg(total).arg(variant, engineProgressText(stage)), (index + 0.8 * f) / total);
    };
    try {
      auto run = std::make_shared<RunResult>(runAttention(item->spec, qkv, input->labels, callbacks, &preparation));
      run->warnings.insert(run->warnings.begin(), input->warnings.begin(), input->warnings.end());
      // The crop is the window's own, so the run's record says it (the panel says it from sourceLength).
      if (input->sourceLength > qkv.n())
        run->warnings.insert(run->warnings.begin(), tr("cropped to the first %1 of %2 positions").arg(qkv.n()).arg(input->sourceLength).toStdString());
      item->run = run;
      report(tr("%1/%2 %3: analysing").arg(index + 1).arg(total).arg(variant), (index + 0.8) / total);
      AnalysisRequest analysis = request.analysis;
      analysis.backend = item->spec.backend;  // maps and spectra from the device the variant ran on
      analysis.head = std::clamp(analysis.head, 0, qkv.heads() - 1);
      if (!analysis.map && request.fullMap) analysis.map = defaultMapRequest(qkv.n(), 0, qkv.n(), 0, qkv.n());
      if (analysis.map) analysis.map->head = analysis.head;
      if (qkv.n() > request.metricsMaxN) analysis.metrics = false;
      const size_t h = static_cast<size_t>(analysis.head);
      const HeadRun headRun{h < run->result.extras.size() ? &run->result.extras[h] : nullptr, h < run->result.output.size() ? &run->result.output[h] : nullptr};
      auto analysed = std::make_shared<AnalysisResult>(analyzeHead(item->spec.attention, qkv, labels, analysis, headRun, token));
      if (qkv.n() > request.metricsMaxN)
        analysed->notes.push_back(tr("metrics against dense are left out above n = %1").arg(request.metricsMaxN).toStdString());
      item->analysis = analysed;
    } catch (const std::exception& e) {
      if (isCancellation(e)) {
        cancelled = true;
        break;
      }
      item->run.reset();
      item->error = describeError(e);
    }
    post(kind, id, [this, id, item] { emit compareItem(id, item); });
  }
  if (!cancelled && token->isCancelled()) cancelled = true;
  if (!cancelled) report(tr("done"), 1.0);
  end(kind, id, cancelled, QString());
}

void JobRunner::runSweepJob(JobId id, const SweepSpec& spec, const CancelToken* token) {
  const JobKind kind = JobKind::Sweep;
  SweepCallbacks callbacks;
  callbacks.cancel = token;
  callbacks.progress = [this, id](const SweepProgress& p) {
    post(JobKind::Sweep, id, [this, id, p] {
      emit sweepProgress(id, p);
      const double fraction = p.total > 0 ? static_cast<double>(p.done) / p.total : 0;
      emit progress(JobKind::Sweep, id, engineProgressText(p.current), fraction);
    });
  };
  callbacks.pointDone = [this, id](const SweepPoint& point) { post(JobKind::Sweep, id, [this, id, point] { emit sweepPoint(id, point); }); };
  try {
    validateSweep(spec);
    auto result = std::make_shared<const SweepResult>(runSweep(spec, callbacks));
    post(kind, id, [this, id, result] { emit sweepFinished(id, result); });
    end(kind, id, result->cancelled, QString());
  } catch (const std::exception& e) {
    end(kind, id, isCancellation(e), describeError(e));
  }
}

void JobRunner::runRegion(JobId id, const RegionRequest& request, const CancelToken* token) {
  const JobKind kind = JobKind::Region;
  if (!request.input) {
    end(kind, id, false, tr("no input to recompute the region on"));
    return;
  }
  const Qkv& qkv = request.input->qkv;
  const std::vector<std::string>* labels = request.input->labels.empty() ? nullptr : &request.input->labels;
  AnalysisRequest analysis;
  analysis.head = std::clamp(request.head, 0, qkv.heads() - 1);
  analysis.map = request.map;
  analysis.map->head = analysis.head;
  analysis.memory = false;
  for (size_t k = 0; k < request.specs.size() && k < request.indices.size(); ++k) {
    auto item = std::make_shared<RegionItem>();
    item->index = request.indices[k];
    analysis.backend = k < request.backends.size() ? request.backends[k] : std::string();
    try {
      item->analysis = std::make_shared<const AnalysisResult>(analyzeHead(request.specs[k], qkv, labels, analysis, {}, token));
    } catch (const std::exception& e) {
      if (isCancellation(e)) {
        end(kind, id, true, QString());
        return;
      }
      item->error = describeError(e);
    }
    post(kind, id, [this, id, item] { emit regionItem(id, item); });
  }
  end(kind, id, token->isCancelled(), QString());
}

}  // namespace attnscope
