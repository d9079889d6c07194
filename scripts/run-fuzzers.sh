#!/bin/sh
# Runs every loader fuzzer for a bounded time, one after another.
#   scripts/run-fuzzers.sh BUILD_DIR SECONDS [NAME...]
# Each fuzzer starts from the committed seed corpus (tests/fuzz/corpus/NAME)
# and writes new inputs to BUILD_DIR/fuzz-corpus/NAME, so the committed
# corpus only changes by hand. Crashes land in BUILD_DIR/fuzz-artifacts/.
# Exit status is non-zero when any fuzzer found a crash, leak or timeout.
set -u
build=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS [NAME...]}
seconds=${2:?usage: run-fuzzers.sh BUILD_DIR SECONDS [NAME...]}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
names=${*:-"text fasta csv npy safetensors detect"}
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
failed=""
for name in $names; do
  bin="$build/tests/fuzz/fuzz_$name"
  if [ ! -x "$bin" ]; then
    echo "run-fuzzers: $bin not built (configure with -DATTNSCOPE_FUZZ=ON using clang)" >&2
    exit 2
  fi
  work="$build/fuzz-corpus/$name"
  mkdir -p "$work"
  dict="$root/tests/fuzz/$name.dict"
  dictArg=""
  [ -f "$dict" ] && dictArg="-dict=$dict"
  echo "== fuzz_$name for ${seconds}s"
  # The seed corpus may have more than the limits below; libFuzzer still reads it.
  if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$artifacts/${name}-" $dictArg "$work" "$root/tests/fuzz/corpus/$name" \
      >"$build/fuzz-$name.log" 2>&1; then
    failed="$failed $name"
    echo "   FAILED: see $build/fuzz-$name.log and $artifacts/"
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$build/fuzz-$name.log" | sed 's/^/   /'
done
if [ -n "$failed" ]; then
  echo "run-fuzzers: findings in:$failed" >&2
  exit 1
fi
echo "run-fuzzers: no findings"
