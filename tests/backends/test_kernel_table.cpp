// The (backend, variant) kernel table: the chooser's order and reasons, and
// the contract it exists for: on every backend, supports() refuses exactly
// what run() refuses, with the same reason.
#include <QtTest>

#include <limits>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "backend/cpu/head_kernel.hpp"
#include "backend/kernel_table.hpp"
#include "common/error.hpp"
#include "common/rng.hpp"

using namespace attnscope;

namespace {

struct FakeKernel {
  std::string name;
};

bool refuseCausal(const AttentionSpec& spec, const Shape*, std::string* why) {
  if (!spec.causal) return true;
  *why = "no causal form here";
  return false;
}

bool refuseWide(const AttentionSpec&, const Shape* shape, std::string* why) {
  if (!shape || shape->d <= 64) return true;
  *why = "d above 64";
  return false;
}

Qkv smallQkv(int64_t n, int64_t d, int heads) {
  Qkv qkv;
  Rng rng(7);
  for (int h = 0; h < heads; ++h) {
    for (auto* list : {&qkv.q, &qkv.k, &qkv.v}) {
      Mat m(n, d);
      for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal());
      list->push_back(std::move(m));
    }
  }
  qkv.origin = "test";
  return qkv;
}

}  // namespace

class TestKernelTable : public QObject {
  Q_OBJECT

 private slots:
  void ownKernelBeforeTheMaskBasedOne() {
    KernelTable<FakeKernel> table("fake");
    table.add("dense", std::make_shared<FakeKernel>(FakeKernel{"own"}), &refuseCausal);
    table.add(kAnyMaskBased, std::make_shared<FakeKernel>(FakeKernel{"block-sparse"}));
    AttentionSpec spec = makeSpec("dense");
    std::string why;
    QCOMPARE(table.choose(spec, nullptr, &why)->name, std::string("own"));
    spec.causal = true;  // the own kernel refuses: the mask-based one takes it
    QCOMPARE(table.choose(spec, nullptr, &why)->name, std::string("block-sparse"));
    QCOMPARE(table.choose(makeSpec("sliding_window"), nullptr, &why)->name, std::string("block-sparse"));
  }

  void refusalsAndMissingKernelsSayWhy() {
    KernelTable<FakeKernel> table("fake");
    table.add("dense", std::make_shared<FakeKernel>(FakeKernel{"narrow"}), &refuseWide);
    table.add("dense", std::make_shared<FakeKernel>(FakeKernel{"acausal"}), &refuseCausal);
    AttentionSpec spec = makeSpec("dense");
    spec.causal = true;
    const Shape wide{128, 128, 128, 1, true, 1};
    std::string why;
    QVERIFY(table.choose(spec, &wide, &why) == nullptr);
    QVERIFY2(why.find("d above 64") != std::string::npos && why.find("no causal form here") != std::string::npos, why.c_str());
    // Without a shape the width is not known yet: the narrow kernel may still serve.
    QCOMPARE(table.choose(spec, nullptr, &why)->name, std::string("narrow"));

    QVERIFY(table.choose(makeSpec("performer"), nullptr, &why) == nullptr);
    QVERIFY2(why.find("no fake kernel") != std::string::npos && why.find("fake runs: dense") != std::string::npos, why.c_str());
    AttentionSpec unknown;
    unknown.variant = "no_such_variant";
    QVERIFY(table.choose(unknown, nullptr, &why) == nullptr);
    QVERIFY2(why.find("unknown variant 'no_such_variant'") != std::string::npos, why.c_str());
    QCOMPARE(table.variants(), std::vector<std::string>{"dense"});
  }

  void theCpuBackendRunsEveryVariant() {
    // The CPU is the reference backend: every registered variant has a kernel there.
    QCOMPARE(cpuKernels().variants(), VariantRegistry::instance().ids());
    std::string why;
    AttentionSpec fp16 = makeSpec("dense");
    fp16.precision = Precision::Fp16;
    QVERIFY(findCpuKernel(fp16, nullptr, &why) == nullptr);
    QVERIFY2(why.find("no fp16 kernels") != std::string::npos, why.c_str());
  }

  // Outputs handed back for reuse (poisoned with NaN first) give the same
  // result as fresh ones: every kernel writes all of its output.
  void reusedOutputsAreFullyWritten() {
    const Qkv qkv = smallQkv(70, 16, 2);
    for (const Variant* v : VariantRegistry::instance().all()) {
      const AttentionSpec spec = makeSpec(v->info().id);
      Backend& cpu = BackendRegistry::instance().get("cpu");
      const AttentionResult fresh = cpu.run(spec, qkv, RunOptions{});
      std::vector<Mat> spare = fresh.output;
      for (Mat& m : spare) m.setConstant(std::numeric_limits<float>::quiet_NaN());
      const float* storage = spare[0].data();
      RunOptions options;
      options.reuseOutputs = &spare;
      const AttentionResult again = cpu.run(spec, qkv, options);
      QCOMPARE(again.output[0].data(), storage);  // the storage was taken, not copied
      for (size_t h = 0; h < fresh.output.size(); ++h)
        QVERIFY2(again.output[h] == fresh.output[h], qPrintable(QString::fromStdString(v->info().id) + ": head " + QString::number(h)));
    }
  }

  void supportsAndRunAgreeOnEveryBackend() {
    const Qkv qkv = smallQkv(40, 16, 2);
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), false, 1};
    int agreed = 0;
    for (Backend* backend : BackendRegistry::instance().all()) {
      const BackendStatus status = backend->status();
      for (const Variant* v : VariantRegistry::instance().all()) {
        for (Precision p : {Precision::Fp32, Precision::Bf16}) {
          AttentionSpec spec = makeSpec(v->info().id);
          spec.precision = p;
          std::string why;
          const bool supported = backend->supports(spec, &shape, &why);
          const QString label = QString::fromStdString(backend->name() + " / " + v->info().id + " / " + precisionName(p));
          QVERIFY2(supported || !why.empty(), qPrintable(label + ": refused without a reason"));
          if (!status.available) continue;  // run() can only say "unavailable" here
          try {
            backend->run(spec, qkv, RunOptions{});
            QVERIFY2(supported, qPrintable(label + ": run() ran what supports() refused: " + QString::fromStdString(why)));
          } catch (const Error& e) {
            QVERIFY2(!supported && e.kind() == ErrorKind::Unsupported, qPrintable(label + ": run() failed: " + e.what()));
            QVERIFY2(std::string(e.what()).find(why) != std::string::npos, qPrintable(label + ": run() gave another reason: " + e.what()));
          }
          ++agreed;
        }
      }
    }
    QVERIFY(agreed >= 2 * static_cast<int>(VariantRegistry::instance().ids().size()));
  }
};

QTEST_GUILESS_MAIN(TestKernelTable)
#include "test_kernel_table.moc"
