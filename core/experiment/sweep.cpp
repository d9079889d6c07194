#include "experiment/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <new>

#include "analysis/analysis_run.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"

namespace attnscope {

const char* pointStatusName(PointStatus s) {
  switch (s) {
    case PointStatus::Done: return "done";
    case PointStatus::Skipped: return "skipped";
    case PointStatus::Failed: return "failed";
  }
  return "done";
}

std::string SweepPoint::paramsText() const {
  std::string out;
  for (const auto& [name, value] : params) out += (out.empty() ? "" : ";") + name + "=" + value;
  return out;
}

std::string SweepPoint::seriesKey() const {
  std::string key = variant;
  for (const auto& [name, value] : params) key += " " + name + "=" + value;
  return key;
}

namespace {

using Combo = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorKind::InvalidArgument, message); }

std::string formatNumber(double v) {
  if (std::abs(v) < 9e15 && v == std::floor(v)) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// "a:b", "a:b:xF", "a:b:+S" -> numbers; nullopt when text is not a range.
std::optional<std::vector<double>> parseRange(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = text.find(':', start)) != std::string::npos; start = colon + 1) parts.push_back(text.substr(start, colon - start));
  parts.push_back(text.substr(start));
  if (parts.size() < 2) return std::nullopt;
  if (parts.size() > 3) invalid("'" + text + "' is not a range (FROM:TO or FROM:TO:xFACTOR or FROM:TO:+STEP)");
  const auto from = parseDouble(parts[0]), to = parseDouble(parts[1]);
  if (!from || !to) invalid("'" + text + "': range ends must be numbers");
  if (*to < *from) invalid("'" + text + "': the range ends before it starts");
  bool multiply = true;
  double step = 2;
  if (parts.size() == 3) {
    const std::string& s = parts[2];
    const std::optional<double> v = s.size() > 1 ? parseDouble(s.substr(1)) : std::nullopt;
    if (s.empty() || (s[0] != 'x' && s[0] != '+') || !v.has_value()) invalid("'" + text + "': the step must be xFACTOR or +STEP (e.g. x2, +64)");
    multiply = s[0] == 'x';
    step = v.value_or(0.0);
    if (multiply ? step <= 1.0 : step <= 0.0) invalid("'" + text + "': the step must grow the value (factor > 1, step > 0)");
  } else if (*from <= 0) {
    invalid("'" + text + "': a doubling range must start above 0");
  }
  std::vector<double> out;
  for (double v = *from; v <= *to * (1 + 1e-12); v = multiply ? v * step : v + step) {
    out.push_back(v);
    if (out.size() > 10000) invalid("'" + text + "' has more than 10000 values");
  }
  return out;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    out.emplace_back(trim(std::string_view(text).substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const std::string& item : out)
    if (item.empty()) invalid("'" + text + "' has an empty item");
  return out;
}

// The parameter combinations one variant runs with: the cartesian product of
// the axes that apply to it (one empty combination when none does).
std::vector<Combo> combosFor(const Variant& v, const std::vector<ParamAxis>& axes) {
  std::vector<Combo> combos{{}};
  for (const ParamAxis& axis : axes) {
    if (!axis.variant.empty() && axis.variant != v.info().id) continue;
    const auto& schema = v.info().params;
    if (std::none_of(schema.begin(), schema.end(), [&](const ParamSpec& p) { return p.name == axis.name; })) continue;
    std::vector<Combo> next;
    for (const Combo& c : combos)
      for (const std::string& value : axis.values) {
        Combo extended = c;
        extended.emplace_back(axis.name, value);
        next.push_back(std::move(extended));
      }
    combos = std::move(next);
  }
  return combos;
}

AttentionSpec specFor(const SweepSpec& sweep, const std::string& variant, const Combo& combo) {
  AttentionSpec a = makeSpec(variant);
  a.causal = sweep.base.attention.causal;
  a.precision = sweep.base.attention.precision;
  for (const auto& [name, value] : combo) a.params.set(name, value);
  return a;
}

struct PlannedPoint {
  std::string variant;
  Combo combo;
  int64_t n = 0;
  double weight = 1;  // predicted FLOPs of its runs, for the time estimate
};

SweepPoint pointFor(const PlannedPoint& planned) {
  SweepPoint p;
  p.variant = planned.variant;
  p.params = planned.combo;
  p.n = planned.n;
  return p;
}

// Recall of head 0 from a metrics pass on the run's own output; none when the
// analysis cannot be made (the point keeps its time and error).
std::pair<std::optional<double>, std::optional<double>> recallOf(const AttentionSpec& spec, const Qkv& qkv, const std::vector<std::string>& labels,
                                                                 const RunResult& r, const CancelToken* cancel) {
  AnalysisRequest request;
  request.head = 0;
  request.metrics = true;
  request.memory = false;
  const HeadRun head{r.result.extras.empty() ? nullptr : &r.result.extras[0], r.result.output.empty() ? nullptr : &r.result.output[0]};
  try {
    const AnalysisResult a = analyzeHead(spec, qkv, labels.empty() ? nullptr : &labels, request, head, cancel);
    if (a.metrics && a.metrics->recall.rows > 0) return {a.metrics->recall.mean, a.metrics->recall.min};
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled) throw;
  } catch (const std::bad_alloc&) {
  }
  return {};
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

std::vector<int64_t> parseLengths(const std::string& text) {
  std::vector<int64_t> out;
  if (auto range = parseRange(text)) {
    for (double v : *range) out.push_back(static_cast<int64_t>(std::llround(v)));
  } else {
    for (const std::string& item : splitList(text)) {
      const auto v = parseInt(item);
      if (!v) invalid("'" + item + "' is not a length");
      out.push_back(*v);
    }
  }
  for (int64_t n : out)
    if (n < 1) invalid("lengths must be at least 1, got " + std::to_string(n));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> parseValues(const std::string& text) {
  if (text.find(':') != std::string::npos) {
    std::vector<std::string> out;
    const std::vector<double> range = *parseRange(text);
    for (double v : range) out.push_back(formatNumber(v));
    return out;
  }
  return splitList(text);
}

ParamAxis parseParamAxis(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) invalid("'" + assignment + "' is not NAME=VALUES");
  ParamAxis axis;
  std::string name = assignment.substr(0, eq);
  if (const size_t dot = name.find('.'); dot != std::string::npos) {
    axis.variant = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  axis.name = name;
  axis.values = parseValues(assignment.substr(eq + 1));
  return axis;
}

void validateSweep(const SweepSpec& spec) {
  if (spec.variants.empty()) invalid("no variants to sweep");
  if (spec.lengths.empty()) invalid("no lengths to sweep");
  for (int64_t n : spec.lengths)
    if (n < 1) invalid("lengths must be at least 1, got " + std::to_string(n));
  std::vector<std::string> seen;
  for (const std::string& id : spec.variants) {
    VariantRegistry::instance().get(id);  // throws listing the known ids
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) invalid("variant '" + id + "' is listed twice");
    seen.push_back(id);
  }
  for (const ParamAxis& axis : spec.params) {
    if (axis.values.empty()) invalid("parameter '" + axis.name + "' has no values");
    if (!axis.variant.empty() && std::find(seen.begin(), seen.end(), axis.variant) == seen.end())
      invalid("parameter '" + axis.variant + "." + axis.name + "': variant '" + axis.variant + "' is not in the sweep");
    bool applies = false;
    for (const std::string& id : spec.variants) {
      if (!axis.variant.empty() && axis.variant != id) continue;
      AttentionSpec a = makeSpec(id);
      const auto& schema = a.params.schema();
      if (std::none_of(schema.begin(), schema.end(), [&](const ParamSpec& p) { return p.name == axis.name; })) continue;
      applies = true;
      for (const std::string& value : axis.values) a.params.set(axis.name, value);  // throws naming the range
    }
    if (!applies) invalid("no selected variant has a parameter '" + axis.name + "'");
  }
}

double relativeFrobeniusError(const std::vector<Mat>& output, const std::vector<Mat>& reference) {
  if (output.size() != reference.size()) throw Error(ErrorKind::InvalidArgument, "error against dense: head counts differ");
  double diff = 0, norm = 0;
  for (size_t h = 0; h < output.size(); ++h) {
    if (output[h].rows() != reference[h].rows() || output[h].cols() != reference[h].cols())
      throw Error(ErrorKind::InvalidArgument, "error against dense: shapes differ");
    diff += static_cast<double>((output[h] - reference[h]).squaredNorm());
    norm += static_cast<double>(reference[h].squaredNorm());
  }
  return norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

std::vector<SweepSeries> summarizeSweep(const std::vector<SweepPoint>& points) {
  std::vector<SweepSeries> series;
  std::map<std::string, size_t> index;
  std::vector<std::vector<double>> ns, times, bytes;
  for (const SweepPoint& p : points) {
    const std::string key = p.seriesKey();
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, series.size()).first;
      SweepSeries s;
      s.key = key;
      s.variant = p.variant;
      s.params = p.params;
      series.push_back(std::move(s));
      ns.emplace_back();
      times.emplace_back();
      bytes.emplace_back();
    }
    SweepSeries& s = series[it->second];
    if (p.status == PointStatus::Skipped) ++s.skipped;
    if (p.status == PointStatus::Failed) ++s.failed;
    if (p.status != PointStatus::Done) continue;
    ++s.done;
    ns[it->second].push_back(static_cast<double>(p.n));
    times[it->second].push_back(p.time.medianMs);
    bytes[it->second].push_back(static_cast<double>(p.memory.runBytes));
    if (p.errorVsDense && p.n >= s.errorN) {
      s.error = p.errorVsDense;
      s.errorN = p.n;
    }
  }
  for (size_t i = 0; i < series.size(); ++i) {
    series[i].time = fitExponent(ns[i], times[i]);
    series[i].memory = fitExponent(ns[i], bytes[i]);
  }
  return series;
}

SweepResult runSweep(const SweepSpec& spec, const SweepCallbacks& callbacks) {
  validateSweep(spec);
  const auto started = std::chrono::steady_clock::now();
  SweepResult result;
  result.spec = spec;

  // Dense (without parameters) runs first at each length and is the reference.
  std::vector<std::string> order = spec.variants;
  std::stable_partition(order.begin(), order.end(), [](const std::string& id) { return id == "dense"; });
  const bool denseInSweep = !order.empty() && order.front() == "dense" && combosFor(VariantRegistry::instance().get("dense"), spec.params).size() == 1;
  const int runsPerPoint = spec.base.warmup + spec.base.repeats;
  const int64_t d = spec.base.features.d;

  std::vector<PlannedPoint> plan;
  for (int64_t n : spec.lengths)
    for (const std::string& id : order) {
      const Variant& v = VariantRegistry::instance().get(id);
      for (const Combo& c : combosFor(v, spec.params)) {
        PlannedPoint p{id, c, n, 1};
        try {
          const Shape shape{n, d, d, spec.base.features.heads, spec.base.attention.causal, 1};
          p.weight = std::max(1e6, v.cost(specFor(spec, id, c), shape).flops) * runsPerPoint;
        } catch (const Error&) {
        }
        plan.push_back(std::move(p));
      }
    }
  result.planned = static_cast<int>(plan.size());
  double totalWeight = 0, doneWeight = 0;
  for (const PlannedPoint& p : plan) totalWeight += p.weight;

  auto cancelled = [&] { return callbacks.cancel && callbacks.cancel->isCancelled(); };
  auto report = [&](size_t done, const std::string& current) {
    if (!callbacks.progress) return;
    SweepProgress pr;
    pr.done = static_cast<int>(done);
    pr.total = result.planned;
    pr.elapsedSeconds = seconds(started);
    if (doneWeight > 0) pr.remainingSeconds = pr.elapsedSeconds * (totalWeight - doneWeight) / doneWeight;
    pr.current = current;
    callbacks.progress(pr);
  };
  auto finish = [&](SweepPoint point, double weight) {
    doneWeight += weight;
    if (callbacks.pointDone) callbacks.pointDone(point);
    result.points.push_back(std::move(point));
  };

  size_t next = 0;
  try {
    while (next < plan.size() && !cancelled()) {
      const int64_t n = plan[next].n;
      size_t end = next;
      while (end < plan.size() && plan[end].n == n) ++end;

      // Input for this length, shared by its points; refused or failed inputs skip them all.
      RunSpec inputSpec = spec.base;
      inputSpec.n = n;
      inputSpec.attention = specFor(spec, order.front(), {});
      std::optional<Sequence> seq;
      std::optional<Qkv> qkv;
      std::string inputProblem;
      PointStatus inputStatus = PointStatus::Skipped;
      report(next, "input at n = " + std::to_string(n));
      try {
        seq = loadInput(inputSpec);
        if (seq->length() < n) inputProblem = "skipped: the input has only " + std::to_string(seq->length()) + " positions";
        else qkv = prepareQkv(inputSpec, *seq);
      } catch (const MemoryRefused& e) {
        inputProblem = "skipped: would need " + formatBytes(static_cast<double>(e.needBytes)) + " (budget " + formatBytes(static_cast<double>(e.budgetBytes)) + ")";
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Cancelled) throw;
        inputStatus = PointStatus::Failed;
        inputProblem = std::string("failed: ") + e.what();
      } catch (const std::bad_alloc&) {
        inputStatus = PointStatus::Failed;
        inputProblem = "failed: out of memory preparing the input";
      }
      if (!qkv) {
        for (; next < end; ++next) {
          SweepPoint point = pointFor(plan[next]);
          point.status = inputStatus;
          point.message = inputProblem;
          finish(std::move(point), plan[next].weight);
        }
        continue;
      }

      // The dense reference: the sweep's own dense point when it has one, else one untimed run.
      std::optional<std::vector<Mat>> reference;
      const bool wantError = spec.errorVsDense && n <= spec.errorMaxN;
      if (wantError && !denseInSweep) {
        report(next, "dense reference at n = " + std::to_string(n));
        RunSpec ref = inputSpec;
        ref.attention = specFor(spec, "dense", {});
        ref.warmup = 0;
        ref.repeats = 1;
        try {
          reference = std::move(runAttention(ref, *qkv, seq->labels, {callbacks.cancel, {}}).result.output);
        } catch (const Error& e) {
          if (e.kind() == ErrorKind::Cancelled) throw;
        }
      }

      for (; next < end && !cancelled(); ++next) {
        const PlannedPoint& planned = plan[next];
        SweepPoint point = pointFor(planned);
        report(next, point.seriesKey() + " at n = " + std::to_string(n));
        RunSpec run = inputSpec;
        run.attention = specFor(spec, planned.variant, planned.combo);
        try {
          RunResult r = runAttention(run, *qkv, seq->labels, {callbacks.cancel, {}});
          point.time = r.time;
          point.memory = r.memory;
          point.predicted = r.predicted;
          point.gflops = r.gflops;
          point.gbPerS = r.gbPerS;
          if (spec.recall && n <= spec.errorMaxN) {
            const auto [mean, worst] = recallOf(run.attention, *qkv, seq->labels, r, callbacks.cancel);
            point.recallMean = mean;
            point.recallMin = worst;
          }
          if (wantError && planned.variant == "dense" && denseInSweep) reference = std::move(r.result.output);
          if (reference) point.errorVsDense = planned.variant == "dense" && denseInSweep ? 0.0 : relativeFrobeniusError(r.result.output, *reference);
        } catch (const MemoryRefused& e) {
          point.status = PointStatus::Skipped;
          point.message = "skipped: would need " + formatBytes(static_cast<double>(e.needBytes)) + " (budget " + formatBytes(static_cast<double>(e.budgetBytes)) + ")";
        } catch (const Error& e) {
          if (e.kind() == ErrorKind::Cancelled) throw;
          point.status = PointStatus::Failed;
          point.message = std::string("failed: ") + e.what();
        } catch (const std::bad_alloc&) {
          point.status = PointStatus::Failed;
          point.message = "failed: out of memory";
        }
        finish(std::move(point), planned.weight);
      }
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Cancelled) throw;
  }
  result.cancelled = result.points.size() < plan.size();
  result.series = summarizeSweep(result.points);
  result.wallSeconds = seconds(started);
  report(result.points.size(), "");
  return result;
}

}  // namespace attnscope
