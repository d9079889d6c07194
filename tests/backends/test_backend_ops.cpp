// Every registered variant on every available backend, in the manner of a
// backend-ops table: for each (variant, shape, causal) case the backend's
// forward is compared with O = A V from the variant's own exact map, computed
// in double; and, over the registry, the generic contracts every variant
// keeps: A^T Y agrees with the map, map rows sum to 1 where the definition
// says so, and the cost model counts the pairs the kernel computes; every
// other backend's analysis operator (A, A X, A^T Y) agrees with the CPU's map.
// "not supported: why" is printed and counted, never a silent skip.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/head_operator.hpp"
#include "analysis/map_grid.hpp"
#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "exec_context.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

struct Case {
  int64_t n, d;
  int heads;
  bool causal;
};

// Shapes that put masks and tiles at their edges: n below a tile, odd n, n
// not a multiple of any block, several heads, d = 32 / 64 / 128.
const std::vector<Case> kCases = {{1, 16, 1, false}, {37, 32, 2, false}, {37, 32, 2, true}, {130, 64, 2, false},
                                  {130, 64, 1, true}, {201, 128, 1, false}, {96, 32, 3, true}};

// Small parameters so windows, blocks, ranks and segments bite at these lengths.
AttentionSpec smallSpec(const std::string& id, bool causal) {
  AttentionSpec spec = makeSpec(id);
  const std::vector<std::pair<std::string, std::string>> small = {
      {"window", "8"}, {"block", "16"}, {"k", "16"}, {"features", "32"}, {"segment", "32"}, {"memory", "32"}, {"slots", "4"}, {"topk", "2"}, {"globals", "3"}};
  for (const auto& [name, value] : small)
    for (const ParamSpec& p : spec.params.schema())
      if (p.name == name) spec.params.set(name, value);
  spec.causal = causal;
  return spec;
}

Qkv randomHeads(const Case& c, uint64_t seed) {
  Qkv qkv;
  for (int h = 0; h < c.heads; ++h) {
    qkv.q.push_back(randomMatrix(c.n, c.d, seed + 10 * h, 0.6));
    qkv.k.push_back(randomMatrix(c.n, c.d, seed + 10 * h + 1, 0.6));
    qkv.v.push_back(randomMatrix(c.n, c.d, seed + 10 * h + 2));
  }
  qkv.origin = "test";
  return qkv;
}

MatD exactMapOf(const Variant& v, const AttentionSpec& spec, const Qkv& qkv, int h, const ExecContext& ctx) {
  HeadInput in{qkv.q[static_cast<size_t>(h)], qkv.k[static_cast<size_t>(h)], qkv.v[static_cast<size_t>(h)], nullptr, h};
  const int64_t n = qkv.n();
  MapGrid g = MapGrid::forRegion(0, n, 0, n, n, n);
  cpuKernel(spec).map(ctx, spec, in, g);
  return g.sum.cast<double>();
}

double relErr(const MatD& a, const MatD& b) {
  const double scale = std::max(b.cwiseAbs().maxCoeff(), 1e-30);
  return (a - b).cwiseAbs().maxCoeff() / scale;
}

// Rows of A are distributions for every variant but these (and why).
const std::set<std::string> kRowsNeedNotSumToOne = {
    "linformer",  // a Gaussian projection F mixes values with signed weights
};

}  // namespace

class TestBackendOps : public QObject {
  Q_OBJECT

 private slots:
  void everyVariantOnEveryBackendMatchesItsMap() {
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    int compared = 0, unsupported = 0, unavailable = 0;
    for (Backend* backend : BackendRegistry::instance().all()) {
      const BackendStatus status = backend->status();
      if (!status.available) {
        qInfo("backend %s: unavailable: %s (its cases are skipped)", backend->name().c_str(), status.reason.c_str());
        ++unavailable;
        continue;
      }
      for (const Variant* v : VariantRegistry::instance().all()) {
        const VariantInfo& info = v->info();
        for (const Case& c : kCases) {
          if (c.causal && !info.supportsCausal) continue;
          const AttentionSpec spec = smallSpec(info.id, c.causal);
          const Shape shape{c.n, c.d, c.d, c.heads, c.causal, 1};
          std::string why;
          if (!backend->supports(spec, &shape, &why)) {
            qInfo("%s / %s: not supported: %s", backend->name().c_str(), info.id.c_str(), why.c_str());
            ++unsupported;
            continue;
          }
          const Qkv qkv = randomHeads(c, 1000 + static_cast<uint64_t>(c.n));
          try {
            v->validate(spec, shape);
          } catch (const Error& e) {
            qInfo("%s n=%lld: parameters refused at this shape: %s", info.id.c_str(), static_cast<long long>(c.n), e.what());
            continue;
          }
          const AttentionResult r = backend->run(spec, qkv, RunOptions{});
          QCOMPARE(static_cast<int>(r.output.size()), c.heads);
          for (int h = 0; h < c.heads; ++h) {
            const MatD a = exactMapOf(*v, spec, qkv, h, ctx);
            const MatD want = a * qkv.v[static_cast<size_t>(h)].cast<double>();
            const double err = relErr(r.output[static_cast<size_t>(h)].cast<double>(), want);
            const QString what = QString("%1 on %2, n=%3 d=%4 head %5%6: forward vs A V error %7")
                                     .arg(QString::fromStdString(info.id), QString::fromStdString(backend->name()))
                                     .arg(c.n).arg(c.d).arg(h).arg(c.causal ? " causal" : "").arg(err);
            QVERIFY2(err < 1e-4, qPrintable(what));
          }
          ++compared;
        }
      }
    }
    qInfo("%d cases compared, %d not supported, %d backends unavailable", compared, unsupported, unavailable);
    QVERIFY(compared >= static_cast<int>(VariantRegistry::instance().all().size()) * 4);
  }

  void transposedProductAgreesWithTheMap() {
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    for (const Variant* v : VariantRegistry::instance().all()) {
      for (bool causal : {false, true}) {
        if (causal && !v->info().supportsCausal) continue;
        const Case c{113, 32, 1, causal};
        const AttentionSpec spec = smallSpec(v->info().id, causal);
        const Qkv qkv = randomHeads(c, 77);
        HeadInput in{qkv.q[0], qkv.k[0], qkv.v[0], nullptr, 0};
        const MatD a = exactMapOf(*v, spec, qkv, 0, ctx);
        const Mat y = randomMatrix(c.n, 5, 99);
        Mat got(c.n, 5);
        cpuKernel(spec).applyTransposed(ctx, spec, in, y, got);
        const double err = relErr(got.cast<double>(), a.transpose() * y.cast<double>());
        QVERIFY2(err < 1e-4, qPrintable(QString("%1%2: A^T Y error %3").arg(QString::fromStdString(v->info().id)).arg(causal ? " causal" : "").arg(err)));
      }
    }
  }

  // Every other available backend's operator (maps, A X, A^T Y for the
  // analysis) against the CPU's exact map; a variant a backend forms on the
  // CPU is "not supported: why".
  void everyBackendsOperatorMatchesTheMap() {
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    int compared = 0;
    for (Backend* backend : BackendRegistry::instance().all()) {
      if (backend->name() == "cpu") continue;
      const BackendStatus status = backend->status();
      if (!status.available) {
        qInfo("backend %s: unavailable: %s (its operators are skipped)", backend->name().c_str(), status.reason.c_str());
        continue;
      }
      for (const Variant* v : VariantRegistry::instance().all()) {
        for (const Case& c : {Case{113, 32, 1, false}, Case{130, 64, 2, true}}) {
          if (c.causal && !v->info().supportsCausal) continue;
          const AttentionSpec spec = smallSpec(v->info().id, c.causal);
          const Qkv qkv = randomHeads(c, 313);
          const int h = c.heads - 1;
          std::string why;
          const std::unique_ptr<HeadOperator> op = backend->headOperator(spec, qkv, h, nullptr, ctx, &why);
          if (!op) {
            qInfo("%s / %s operator: not supported: %s", backend->name().c_str(), v->info().id.c_str(), why.c_str());
            continue;
          }
          const MatD a = exactMapOf(*v, spec, qkv, h, ctx);
          MapGrid g = MapGrid::forRegion(0, c.n, 0, c.n, c.n, c.n);
          op->map(g);
          const Mat y = randomMatrix(c.n, 5, 99);
          Mat ax(c.n, 5), aty(c.n, 5);
          op->apply(y, ax);
          op->applyTransposed(y, aty);
          const QString what = QString("%1 on %2, n=%3").arg(QString::fromStdString(v->info().id), QString::fromStdString(backend->name())).arg(c.n);
          QVERIFY2(relErr(g.sum.cast<double>(), a) < 1e-4, qPrintable(what + ": map"));
          QVERIFY2(relErr(ax.cast<double>(), a * y.cast<double>()) < 1e-4, qPrintable(what + ": A X"));
          QVERIFY2(relErr(aty.cast<double>(), a.transpose() * y.cast<double>()) < 1e-4, qPrintable(what + ": A^T Y"));
          ++compared;
        }
      }
    }
    qInfo("%d operators compared", compared);
  }

  // Perf mode (ATTNSCOPE_BACKEND_OPS=perf, as tests/gpu/run-gpu-checks.sh
  // runs it): the correctness cases at larger n, timed on every available
  // backend (median of 3 runs of the backend's own forward time), with the
  // cost model's GFLOP/s and each backend's speed against the CPU measured
  // in the same process. A benchmark, not a test: it prints, and checks
  // only that every time is a positive finite number.
  void perfMode() {
    if (qEnvironmentVariable("ATTNSCOPE_BACKEND_OPS") != "perf") QSKIP("perf mode: set ATTNSCOPE_BACKEND_OPS=perf");
    const std::vector<Case> perfCases = {{2048, 64, 4, false}, {2048, 64, 4, true}, {8192, 128, 2, false}};
    std::vector<Backend*> backends = BackendRegistry::instance().all();  // the cpu first: the others are compared with it
    std::stable_partition(backends.begin(), backends.end(), [](const Backend* b) { return b->name() == "cpu"; });
    for (const Variant* v : VariantRegistry::instance().all()) {
      const VariantInfo& info = v->info();
      for (const Case& c : perfCases) {
        if (c.causal && !info.supportsCausal) continue;
        const AttentionSpec spec = smallSpec(info.id, c.causal);
        const Shape shape{c.n, c.d, c.d, c.heads, c.causal, 1};
        try {
          v->validate(spec, shape);
        } catch (const Error& e) {
          continue;
        }
        const Qkv qkv = randomHeads(c, 42);
        const double gflop = v->cost(spec, shape).flops * 1e-9;
        double cpuMs = 0;
        for (Backend* backend : backends) {
          std::string why;
          if (!backend->status().available || !backend->supports(spec, &shape, &why)) {
            if (!why.empty()) qInfo("%-15s n=%-6lld d=%-3lld %-6s %-5s not supported: %s", info.id.c_str(), static_cast<long long>(c.n),
                                    static_cast<long long>(c.d), c.causal ? "causal" : "full", backend->name().c_str(), why.c_str());
            continue;
          }
          std::vector<double> ms;
          for (int r = 0; r < 3; ++r) ms.push_back(backend->run(spec, qkv, RunOptions{}).elapsedMs);
          std::sort(ms.begin(), ms.end());
          const double median = ms[1];
          QVERIFY(std::isfinite(median) && median > 0);
          if (backend->name() == "cpu") cpuMs = median;
          qInfo("%-15s n=%-6lld d=%-3lld %-6s %-5s %10.3f ms %9.1f GFLOP/s%s", info.id.c_str(), static_cast<long long>(c.n), static_cast<long long>(c.d),
                c.causal ? "causal" : "full", backend->name().c_str(), median, gflop / (median * 1e-3),
                cpuMs > 0 && backend->name() != "cpu" ? qPrintable(QString("  %1x the cpu").arg(cpuMs / median, 0, 'f', 1)) : "");
        }
      }
    }
  }

  void mapRowsSumToOne() {
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    for (const Variant* v : VariantRegistry::instance().all()) {
      if (kRowsNeedNotSumToOne.count(v->info().id)) continue;
      const Case c{150, 32, 1, false};
      const Qkv qkv = randomHeads(c, 5);
      const MatD a = exactMapOf(*v, smallSpec(v->info().id, false), qkv, 0, ctx);
      const double worst = (a.rowwise().sum().array() - 1.0).abs().maxCoeff();
      QVERIFY2(worst < 1e-4, qPrintable(QString("%1: a row of A sums to 1 +- %2").arg(QString::fromStdString(v->info().id)).arg(worst)));
    }
  }

  void costModelCountsTheKernelsPairs() {
    // Mask-based variants report the pairs their kernel computed; the cost
    // model must predict that count (it is what GFLOP/s are computed from).
    MemoryMeter meter;
    const ExecContext ctx = testContext(&meter);
    int checked = 0;
    for (const Variant* v : VariantRegistry::instance().all()) {
      if (!v->info().maskBased) continue;
      for (bool causal : {false, true}) {
        const Case c{300, 16, 1, causal};
        const AttentionSpec spec = smallSpec(v->info().id, causal);
        const Qkv qkv = randomHeads(c, 11);
        HeadInput in{qkv.q[0], qkv.k[0], qkv.v[0], nullptr, 0};
        Mat out(c.n, c.d);
        const HeadExtras extras = cpuKernel(spec).apply(ctx, spec, in, in.v, out);
        double kernelPairs = -1;
        for (const auto& [name, value] : extras.scalars)
          if (name == "pairs_computed") kernelPairs = value;
        QVERIFY2(kernelPairs > 0, qPrintable(QString::fromStdString(v->info().id) + " reports no pairs_computed"));
        const double predicted = v->cost(spec, Shape{c.n, c.d, c.d, 1, causal, 1}).pairs;
        const double ratio = predicted / kernelPairs;
        // A dynamic layout is chosen by the input, which the cost model does not
        // see: it assumes whole blocks, so it may only overestimate, slightly.
        const bool dynamic = v->info().family == "dynamic";
        QVERIFY2(dynamic ? (ratio >= 1.0 && ratio < 1.05) : std::abs(ratio - 1.0) < 1e-9,
                 qPrintable(QString("%1%2: cost model %3 pairs, kernel %4").arg(QString::fromStdString(v->info().id)).arg(causal ? " causal" : "").arg(predicted).arg(kernelPairs)));
        ++checked;
      }
    }
    QVERIFY(checked >= 8);
  }
};

QTEST_GUILESS_MAIN(TestBackendOps)
#include "test_backend_ops.moc"
