// attnscope-cli info: backends, devices and the registered variants.
#include <cstdio>

#include "attention/registry.hpp"
#include "backend/backend.hpp"
#include "cli_args.hpp"
#include "common/parse.hpp"
#include "sequence/samples.hpp"

namespace attnscope::cli {

int runInfo(Args& args) {
  while (!args.empty()) {
    const std::string flag = args.nextFlag();
    throw UsageError{"info: unknown flag " + flag};
  }
  std::printf("AttnScope engine\n\nbackends:\n");
  bool haveCuda = false;
  for (Backend* b : BackendRegistry::instance().all()) {
    const BackendStatus s = b->status();
    haveCuda = haveCuda || b->name() == "cuda";
    std::printf("  %-6s built, %s%s%s\n", b->name().c_str(), s.available ? "available" : "unavailable",
                s.reason.empty() ? "" : ": ", s.reason.c_str());
    for (const DeviceInfo& d : s.devices)
      std::printf("         device: %s%s%s%s\n", d.name.c_str(), d.detail.empty() ? "" : " (", d.detail.c_str(), d.detail.empty() ? ")" : ")");
    for (const DeviceInfo& d : s.devices)
      if (d.freeBytes > 0) std::printf("         free memory: %s\n", formatBytes(static_cast<double>(d.freeBytes)).c_str());
    std::string runs;
    for (const std::string& id : b->kernelVariants()) runs += (runs.empty() ? "" : ", ") + id;
    std::printf("         runs: %s\n", runs.empty() ? "no variant" : runs.c_str());
  }
  if (!haveCuda) std::printf("  cuda   not built (nvcc was not found when this binary was configured)\n");

  std::printf("\nsamples:\n");
  for (const SampleInfo& s : sampleList()) std::printf("  %-10s %s\n", s.name.c_str(), s.description.c_str());

  std::printf("\nvariants:\n");
  for (const Variant* v : VariantRegistry::instance().all()) {
    const VariantInfo& i = v->info();
    std::printf("  %-15s %s\n", i.id.c_str(), i.title.c_str());
    std::printf("      family %s; time %s; memory %s; causal %s\n", i.family.c_str(), i.complexity.c_str(), i.memoryComplexity.c_str(),
                i.supportsCausal ? "yes" : "no");
    // The cost model at a reference shape, so variants compare at a glance.
    AttentionSpec spec = makeSpec(i.id);
    const Shape shape{4096, 64, 64, 1, false, 1};
    const CostEstimate c = v->cost(spec, shape);
    std::printf("      cost at n=4096, d=64, 1 head: %.3g GFLOP, %s read, %s written, workspace %s\n", c.flops / 1e9,
                formatBytes(c.bytesRead).c_str(), formatBytes(c.bytesWritten).c_str(), formatBytes(c.workspaceBytes).c_str());
    std::printf("      use when: %s\n", i.useWhen.c_str());
    std::printf("      gives up: %s\n", i.loses.c_str());
    for (const ParamSpec& p : i.params)
      std::printf("      --param %s=%s  (%s, %s%s%s) %s\n", p.name.c_str(), formatParamValue(p.defaultValue).c_str(), paramTypeName(p.type),
                  p.allowed().c_str(), p.unit.empty() ? "" : ", ", p.unit.c_str(), p.help.c_str());
  }
  return 0;
}

}  // namespace attnscope::cli
