#include "spec_flags.hpp"

#include "attention/registry.hpp"
#include "common/error.hpp"

namespace attnscope::flags {

using namespace limits;

bool parseSpecFlag(const std::string& flag, Args& args, SpecFlags& f) {
  RunSpec& spec = f.spec;
  if (flag == "--variant") { f.variant = args.value(flag); f.variantGiven = true; }
  else if (flag == "--sample") { spec.sample = args.value(flag); f.sampleGiven = true; }
  else if (flag == "--input") spec.inputFile = args.value(flag);
  else if (flag == "--qkv") spec.qkvFile = args.value(flag);
  else if (flag == "--n") { spec.n = args.intValue(flag, kLength); f.nGiven = true; }
  else if (flag == "--heads") spec.features.heads = static_cast<int>(args.intValue(flag, kHeads));
  else if (flag == "--d") spec.features.d = static_cast<int>(args.intValue(flag, kHeadWidth));
  else if (flag == "--positions") {
    try { spec.features.positions = parsePositions(args.value(flag)); }
    catch (const Error& e) { throw UsageError{flag + ": " + e.what()}; }
  }
  else if (flag == "--untied") spec.features.tiedQK = false;
  else if (flag == "--seed") { spec.features.seed = static_cast<uint64_t>(args.intValue(flag, 0, INT64_MAX)); spec.sampleSeed = spec.features.seed; }
  else if (flag == "--causal") f.causal = true;
  else if (flag == "--param") f.assignments.push_back(args.value(flag));
  else if (flag == "--backend") spec.backend = args.value(flag);
  else if (flag == "--precision") {
    try { f.precision = parsePrecision(args.value(flag)); }
    catch (const Error& e) { throw UsageError{flag + ": " + e.what()}; }
  }
  else if (flag == "--repeats") spec.repeats = static_cast<int>(args.intValue(flag, kRepeats));
  else if (flag == "--warmup") spec.warmup = static_cast<int>(args.intValue(flag, kWarmup));
  else if (flag == "--memory-budget") spec.memoryBudgetBytes = args.bytesValue(flag);
  else return parseLoadFlag(flag, args, spec.load);
  return true;
}

RunSpec finishSpec(const SpecFlags& f) {
  RunSpec spec = f.spec;
  const bool file = !spec.inputFile.empty() || !spec.qkvFile.empty();
  const int inputs = (f.sampleGiven ? 1 : 0) + (spec.inputFile.empty() ? 0 : 1) + (spec.qkvFile.empty() ? 0 : 1);
  if (inputs > 1) throw UsageError{"give only one of --sample, --input, --qkv"};
  if (file) spec.sample.clear();
  // A file's own length is the default; a sample needs a length.
  if (file && !f.nGiven) spec.n = 0;
  try {
    spec.attention = makeSpec(f.variant);
  } catch (const Error& e) {
    throw UsageError{std::string("--variant: ") + e.what()};
  }
  spec.attention.causal = f.causal;
  spec.attention.precision = f.precision;
  for (const std::string& a : f.assignments) {
    try {
      spec.attention.params.assign(a);
    } catch (const Error& e) {
      throw UsageError{std::string("--param: ") + e.what()};
    }
  }
  return spec;
}

std::string specFlagsUsage() {
  return "  --variant ID         variant to run (see info; default dense)\n"
         "  --sample NAME        built-in sample (default: document)\n"
         "  --input FILE         a sequence file (text, FASTA, CSV/TSV, .npy, .safetensors)\n"
         "  --qkv FILE.npy       float32 [3, H, n, d] q, k, v\n"
         "  --n N                length: a sample's length (default 1024); crops a file (default: the whole file)\n"
         "  --heads H --d D      heads and head width for featurized inputs (default 4, 64; up to " +
         std::to_string(kHeads.max) + " and " + std::to_string(kHeadWidth.max) +
         ")\n"
         "  --positions P        none | sinusoidal | rope (default sinusoidal)\n"
         "  --untied             separate Q and K projections\n"
         "  --seed S             featurizer and sample seed (default 1)\n"
         "  --causal             causal attention\n"
         "  --param NAME=VALUE   a variant parameter (repeatable)\n"
         "  --backend NAME       cpu (default) or cuda\n"
         "  --precision P        fp32 (default), bf16 or fp16; bf16 on the cpu runs mask-based variants on AVX512-BF16\n"
         "  --repeats R          timed repeats after the warm-up (default 5)\n"
         "  --warmup W           untimed runs first (default 1)\n"
         "  --memory-budget B    bytes a run may use (suffixes K, M, G); default 80% of free memory\n";
}

}  // namespace attnscope::flags
