#include "cuda_lowrank_run.hpp"

#include <algorithm>

#include "cuda_lowrank.hpp"
#include "cupti_records.hpp"

namespace attnscope::kernels {

void addLowRankKernels(KernelTable<CudaKernel>& table) {
  addLinformerKernel(table);
  addPerformerKernel(table);
}

DeviceArray<float> uploadHeads(const std::vector<Mat>& heads, int64_t padRows, MemoryMeter* meter) {
  const int64_t rows = heads.front().rows(), cols = heads.front().cols();
  const size_t per = static_cast<size_t>(padRows * cols), used = static_cast<size_t>(rows * cols);
  DeviceArray<float> dev(meter, per * heads.size());
  if (padRows > rows) checkCuda(cudaMemset(dev.get(), 0, dev.bytes()), "cudaMemset");
  for (size_t h = 0; h < heads.size(); ++h)
    checkCuda(cudaMemcpy(dev.get() + h * per, heads[h].data(), used * sizeof(float), cudaMemcpyHostToDevice), "copy to device");
  return dev;
}

std::vector<Mat> downloadHeads(const float* device, int heads, int64_t rows, int64_t padRows, int64_t cols) {
  std::vector<Mat> out;
  for (int h = 0; h < heads; ++h) {
    Mat m(rows, cols);
    checkCuda(cudaMemcpy(m.data(), device + static_cast<size_t>(h) * static_cast<size_t>(padRows * cols), static_cast<size_t>(rows * cols) * sizeof(float),
                         cudaMemcpyDeviceToHost),
              "copy to host");
    out.push_back(std::move(m));
  }
  return out;
}

LowRankRun::LowRankRun(std::string prefix, const RunOptions& options) : prefix_(std::move(prefix)), options_(options) {
  traced_ = CuptiProfiler::instance().enable(&cuptiWhy_);
  setupId_ = CuptiProfiler::newExternalId();
}

void LowRankRun::finishCompute() {
  checkCuda(cudaEventRecord(stop_.get()), "cudaEventRecord");
  checkCuda(cudaEventSynchronize(stop_.get()), (prefix_ + " forward").c_str());
  stopped_ = true;
}

void LowRankRun::fillResult(AttentionResult& result, const MemoryMeter& meter) {
  if (!stopped_) finishCompute();
  if (result.extras.empty()) result.extras.emplace_back();
  std::vector<std::string>& notes = result.extras.front().notes;
  if (traced_) {
    // Flushed here, after the forward has finished: never inside the timed region.
    CuptiProfiler& cupti = CuptiProfiler::instance();
    const CuptiRecords all = cupti.flushAndTake();
    const int64_t offset = cupti.clockOffsetNs();
    CuptiRecords rest = recordsFor(all, setupId_);  // copies and memory of every id; kernels of the phases become spans below
    std::vector<Span> kernels;
    int64_t totalNs = 0;
    for (const Phase& p : phases_) {
      const CuptiRecords mine = recordsFor(all, p.id);
      rest.copies.insert(rest.copies.end(), mine.copies.begin(), mine.copies.end());
      rest.memory.insert(rest.memory.end(), mine.memory.begin(), mine.memory.end());
      const int64_t phaseNs = totalKernelNs(mine);
      totalNs += phaseNs;
      for (const KernelRecord& k : mine.kernels) {
        const double share = phaseNs > 0 ? p.flops * static_cast<double>(k.endNs > k.startNs ? k.endNs - k.startNs : 0) / static_cast<double>(phaseNs) : 0.0;
        Span s = kernelSpan(k, offset, share);
        s.name = prefix_ + " " + p.name + ": " + s.name;
        kernels.push_back(std::move(s));
      }
    }
    for (const KernelRecord& k : rest.kernels) kernels.push_back(kernelSpan(k, offset));  // setup kernels (none expected), shown but not timed
    rest.kernels.clear();
    result.trace = recordsToTrace(rest, offset);
    result.trace.spans.insert(result.trace.spans.end(), kernels.begin(), kernels.end());
    std::sort(result.trace.spans.begin(), result.trace.spans.end(), [](const Span& a, const Span& b) { return a.startNs < b.startNs; });
    result.elapsedMs = static_cast<double>(totalNs) / 1e6;
    if (all.droppedRecords > 0) notes.push_back(std::to_string(all.droppedRecords) + " CUPTI records were dropped (its buffers were full)");
    return;
  }
  // cudaEvents: one span per phase, from its start to the next phase's start.
  double totalMs = 0;
  int64_t at = traceClockNs();
  for (size_t i = 0; i < phases_.size(); ++i) {
    float ms = 0.0f;
    const cudaEvent_t end = i + 1 < phases_.size() ? phases_[i + 1].start.get() : stop_.get();
    checkCuda(cudaEventElapsedTime(&ms, phases_[i].start.get(), end), "cudaEventElapsedTime");
    Span span;
    span.name = prefix_ + " " + phases_[i].name;
    span.category = SpanCategory::Kernel;
    span.device = "cuda:0";
    span.startNs = at;
    span.durationNs = static_cast<int64_t>(static_cast<double>(ms) * 1e6);
    span.flops = phases_[i].flops;
    at += span.durationNs;
    totalMs += ms;
    result.trace.spans.push_back(span);
  }
  result.elapsedMs = totalMs;
  result.trace.peakBytes = meter.peak();
  notes.push_back(cuptiFallbackNote(cuptiWhy_));
}

}  // namespace attnscope::kernels
