#include "explore_job.hpp"

#include <algorithm>
#include <chrono>

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "job_runner.hpp"

namespace attnscope {

ExploreResult exploreSpec(const ExploreRequest& request, const CancelToken* cancel) {
  const auto start = std::chrono::steady_clock::now();
  ExploreResult result;
  result.spec = request.spec;
  const Qkv* qkv = request.input ? &request.input->qkv : nullptr;
  const std::vector<std::string>* labels = request.input && !request.input->labels.empty() ? &request.input->labels : nullptr;
  const int64_t n = qkv ? qkv->n() : request.n;
  const int64_t d = qkv ? qkv->d() : request.d;
  const int head = qkv ? std::clamp(request.head, 0, qkv->heads() - 1) : 0;
  result.n = n;
  std::string family;
  try {
    const Variant& variant = VariantRegistry::instance().get(request.spec.variant);
    result.complexity = variant.info().complexity;
    result.family = family = variant.info().family;
    result.title = variant.info().title;
    const Shape shape{n, d, qkv ? qkv->dv() : d, 1, request.spec.causal, 1};
    if (request.spec.causal && !variant.info().supportsCausal) throw Error(ErrorKind::InvalidArgument, variant.info().id + " has no causal form");
    variant.validate(request.spec, shape);

    // Without an input the layout sees zeros: enough for every variant whose mask follows from n.
    Mat zeros;
    if (!qkv) zeros = Mat::Zero(n, d);
    const HeadInput input{qkv ? ConstMatRef(qkv->q[static_cast<size_t>(head)]) : ConstMatRef(zeros),
                          qkv ? ConstMatRef(qkv->k[static_cast<size_t>(head)]) : ConstMatRef(zeros),
                          qkv ? ConstMatRef(qkv->v[static_cast<size_t>(head)]) : ConstMatRef(zeros), labels, head};
    checkCancelled(cancel);
    if (const auto layout = variant.layout(request.spec, shape, &input)) {
      result.mask = rasterizeLayout(*layout, request.maskCells, cancel, request.maskI0, request.maskI1, request.maskJ0, request.maskJ1);
    }
    checkCancelled(cancel);
    result.pairs = countPairs(variant, request.spec, input);
    result.cost = variant.cost(request.spec, shape);
    AttentionSpec dense = makeSpec("dense");
    dense.causal = request.spec.causal;
    result.denseCost = VariantRegistry::instance().get("dense").cost(dense, shape);

    if (request.previewTokens > 0 && qkv && n > 0) {
      // The mask region's top-left corner, at most previewTokens a side.
      auto range = [&](int64_t a, int64_t b) {
        a = std::clamp<int64_t>(a, 0, n - 1);
        b = b < 0 ? n : std::clamp<int64_t>(b, a + 1, n);
        return std::pair<int64_t, int64_t>{a, std::min(b, a + request.previewTokens)};
      };
      const auto [i0, i1] = range(request.maskI0, request.maskI1);
      const auto [j0, j1] = range(request.maskJ0, request.maskJ1);
      AnalysisRequest analysis;
      analysis.head = head;
      analysis.map = MapRequest{head, i0, i1, j0, j1, std::max(i1 - i0, j1 - j0)};
      analysis.memory = false;
      result.preview = analyzeHead(request.spec, *qkv, labels, analysis, {}, cancel).map;
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled) throw;
    result = ExploreResult{};
    result.spec = request.spec;
    result.n = n;
    result.family = family;
    result.error = e.what();
  }
  result.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace attnscope
