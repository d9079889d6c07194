// attnscope-cli: the engine from the command line (DESIGN §8).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "process_memory.hpp"
#include "cli_analysis.hpp"
#include "cli_args.hpp"
#include "cli_bench.hpp"
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
    "  bench                this machine's roof (SGEMM, memory triad), then every variant against it\n"
    "  lesson               check lesson files and list their steps\n"
    "\n"
    "attnscope-cli COMMAND --help lists the flags of that command.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace attnscope;
  keepFreedMemoryForReuse();
  std::vector<std::string> items(argv + 1, argv + argc);
  if (items.empty() || items[0] == "--help" || items[0] == "-h" || items[0] == "help") {
    std::fputs(kUsage, items.empty() ? stderr : stdout);
    return items.empty() ? 2 : 0;
  }
  const std::string command = items[0];
  cli::Args args(std::vector<std::string>(items.begin() + 1, items.end()));
  // Each command answers --help with its own flags.
  if (args.wantsHelp()) {
    std::string help;
    if (command == "info") help = "usage: attnscope-cli info\nLists backends (with devices and why one is unavailable), samples, and every variant with its parameters.\n";
    else if (command == "run") help = cli::runUsage() + "\n" + cli::analysisUsage() + "\ninput flags:\n" + cli::loadFlagsUsage();
    else if (command == "sweep") help = cli::sweepUsage() + "\ninput flags:\n" + cli::loadFlagsUsage();
    else if (command == "bench") help = cli::benchUsage();
    else if (command == "lesson") help = cli::lessonUsage();
    if (!help.empty()) {
      std::fputs(help.c_str(), stdout);
      return 0;
    }
  }
  try {
    if (command == "info") return cli::runInfo(args);
    if (command == "run") return cli::runRun(args);
    if (command == "sweep") return cli::runSweepCommand(args);
    if (command == "bench") return cli::runBenchCommand(args);
    if (command == "lesson") return cli::runLessonCommand(args);
    throw cli::UsageError{"unknown command '" + command + "' (commands: info, run, sweep, bench, lesson; see --help)"};
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
