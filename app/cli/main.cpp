// attnscope-cli: the engine from the command line (DESIGN §8).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli_analysis.hpp"
#include "cli_args.hpp"
#include "cli_sweep.hpp"
#include "common/error.hpp"

namespace {

const char* kUsage =
    "usage: attnscope-cli COMMAND [FLAGS]\n"
    "\n"
    "commands:\n"
    "  info                 backends, devices, and every variant with its parameters\n"
    "  run                  run one variant and write its results\n"
    "  sweep                variants x lengths (x parameter values), measured, with fitted exponents\n"
    "\n"
    "run flags:\n"
    "  --variant ID         variant to run (see info)\n"
    "  --sample NAME        built-in sample (default: document)\n"
    "  --input FILE         a sequence file (text, or .npy)\n"
    "  --qkv FILE.npy       float32 [3, H, n, d] q, k, v\n"
    "  --n N                sequence length (crop; default 1024)\n"
    "  --heads H --d D      heads and head width for featurized inputs (default 4, 64)\n"
    "  --positions P        none | sinusoidal | rope (default sinusoidal)\n"
    "  --untied             separate Q and K projections\n"
    "  --seed S             featurizer and sample seed (default 1)\n"
    "  --causal             causal attention\n"
    "  --param NAME=VALUE   a variant parameter (repeatable)\n"
    "  --backend NAME       cpu (default) or cuda\n"
    "  --repeats R          timed repeats after the warm-up (default 5)\n"
    "  --warmup W           untimed runs first (default 1)\n"
    "  --memory-budget B    bytes a run may use (suffixes K, M, G); default 80% of free memory\n"
    "  --out-json FILE      the run record\n"
    "  --out-output FILE    O as float32 .npy [H, n, d]\n"
    "  --out-trace FILE     the trace (load, featurize, every repeat, per-phase kernel totals) as Chrome trace JSON\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace attnscope;
  std::vector<std::string> items(argv + 1, argv + argc);
  if (items.empty() || items[0] == "--help" || items[0] == "-h" || items[0] == "help") {
    std::fputs(kUsage, items.empty() ? stderr : stdout);
    std::fputs(("\n" + cli::analysisUsage()).c_str(), items.empty() ? stderr : stdout);
    std::fputs(("\n" + cli::sweepUsage()).c_str(), items.empty() ? stderr : stdout);
    std::fputs(("\ninput flags (run and sweep):\n" + cli::loadFlagsUsage()).c_str(), items.empty() ? stderr : stdout);
    return items.empty() ? 2 : 0;
  }
  const std::string command = items[0];
  cli::Args args(std::vector<std::string>(items.begin() + 1, items.end()));
  try {
    if (command == "info") return cli::runInfo(args);
    if (command == "run") return cli::runRun(args);
    if (command == "sweep") return cli::runSweepCommand(args);
    throw cli::UsageError{"unknown command '" + command + "' (commands: info, run, sweep; see --help)"};
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "attnscope-cli: error: %s\n", e.message.c_str());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "attnscope-cli: error: %s\n", e.what());
    return e.kind() == ErrorKind::Cancelled ? 130 : 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "attnscope-cli: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope-cli: error: %s\n", e.what());
    return 1;
  }
}
