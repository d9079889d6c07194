#!/usr/bin/env bash
# The GPU checks in one go, for a machine with an NVIDIA GPU (written for one
# H200, sm_90, 16 cores; under 8 minutes including the build). Run from the
# repository root:
#
#   tests/gpu/run-gpu-checks.sh [RESULTS_FILE]
#
# RESULTS_FILE defaults to $OUT/gpu-results.txt when $OUT is set, else
# ./gpu-results.txt. With PREBUILT=BUNDLE.tar.xz (from bundle-gpu-checks.sh,
# for a machine without the build dependencies) nothing is configured or
# built: the bundle's executables run with its libraries and the machine's
# own CUDA libraries, found under the usual prefixes. Every step runs even when an earlier one failed (except
# that nothing runs when configuring fails); the exit status is nonzero if any failed.
# Environment: ARCH (default 90), JOBS (default: all cores), BUILD_DIR,
# DEADLINE (default 480 s): no step runs past it (each step's limit is cut
# to what is left; a step with under 15 s left is skipped and listed), so
# the results come back within a short lease. Steps run most telling first.
set -u

ROOT=$(pwd)
if [[ ! -f "$ROOT/CMakeLists.txt" || ! -d "$ROOT/kernels" ]]; then
  echo "run-gpu-checks: run this from the repository root" >&2
  exit 2
fi
RESULTS=${1:-${OUT:+$OUT/}gpu-results.txt}
ARCH=${ARCH:-90}
JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-gpu-checks}
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
FAILED=()
SKIPPED=()
START=$(date +%s)
DEADLINE=${DEADLINE:-480}

log() { echo "$*" | tee -a "$RESULTS"; }

# step NAME TIMEOUT_SECONDS COMMAND...: runs it, appends its output, records a failure.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((DEADLINE - ($(date +%s) - START)))
  log ""
  if [[ $left -lt 15 ]]; then
    log "=== $name: skipped, $left s left before the ${DEADLINE}-s deadline ==="
    SKIPPED+=("$name")
    return 0
  fi
  [[ $limit -gt $left ]] && limit=$left
  log "=== $name ($(($(date +%s) - START)) s in) ==="
  local t0 rc
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >>"$RESULTS" 2>&1
  rc=$?
  if [[ $rc -eq 0 ]]; then
    log "--- $name: ok ($(($(date +%s) - t0)) s)"
  else
    [[ $rc -eq 124 || $rc -eq 137 ]] && log "--- $name: timed out after $limit s"
    log "--- $name: FAILED (exit $rc, $(($(date +%s) - t0)) s)"
    FAILED+=("$name")
  fi
  return $rc
}

log "AttnScope GPU checks, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
log "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) $(git -C "$ROOT" diff --quiet 2>/dev/null || echo '(with uncommitted changes)')"
log "host: $(hostname), $(nproc) cores; CUDA arch $ARCH; build dir $BUILD_DIR"
step "device" 30 nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total,clocks.max.sm --format=csv

# Test targets of the GPU folder, from its sources (one executable per test_*.cpp).
GPU_TARGETS=()
for f in "$ROOT"/tests/gpu/test_*.cpp; do GPU_TARGETS+=("gpu_$(basename "${f%.cpp}")"); done
SUITES=("${GPU_TARGETS[@]}" backends_test_backend_ops backends_test_kernel_table core_test_cuda_host_pieces)
TARGETS=("${SUITES[@]}" attnscope-cli)

# The directories holding the CUDA libraries a bundle's executables need
# (BUILD_INFO names them), under the usual prefixes: the toolkit's, the
# distribution's, Python packages'.
cuda_library_dirs() {
  local lib dirs=()
  for lib in $(sed -n 's/^  \(lib[A-Za-z]*\.so\.[0-9]*\)$/\1/p' "$1"); do
    local found="" dir root
    # The toolkit's own library folders first, in order of preference.
    for dir in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/extras/CUPTI/lib64 \
      /usr/local/cuda-*/lib64 /usr/local/cuda-*/targets/x86_64-linux/lib /usr/local/cuda-*/extras/CUPTI/lib64 /usr/lib/x86_64-linux-gnu; do
      [[ -e "$dir/$lib" ]] && { found="$dir/$lib"; break; }
    done
    # Then a bounded search (Python environments under /opt are deep and large).
    for root in /usr/local /opt; do
      [[ -n "$found" ]] && break
      found=$(timeout 20 find -L "$root" -maxdepth 10 -name "$lib" -print -quit 2>/dev/null)
    done
    [[ -n "$found" ]] && dirs+=("$(dirname "$found")")
  done
  printf '%s\n' ${dirs[@]+"${dirs[@]}"} | awk '!seen[$0]++' | paste -sd: -
}

SUITE_DIR=""
CLI=""
if [[ -n "${PREBUILT:-}" ]]; then
  BUNDLE_DIR=$(mktemp -d)
  trap 'rm -rf "$BUNDLE_DIR"' EXIT
  # tar needs xz for .tar.xz; a minimal image may have only Python's lzma.
  if command -v xz >/dev/null; then
    step "unpack $PREBUILT" 60 tar -C "$BUNDLE_DIR" -xJf "$PREBUILT" || exit 1
  else
    step "unpack $PREBUILT (python3, no xz here)" 60 python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$PREBUILT" "$BUNDLE_DIR" || exit 1
  fi
  cat "$BUNDLE_DIR/BUILD_INFO" >>"$RESULTS"
  CUDA_DIRS=$(cuda_library_dirs "$BUNDLE_DIR/BUILD_INFO")
  export LD_LIBRARY_PATH="$BUNDLE_DIR/lib${CUDA_DIRS:+:$CUDA_DIRS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  log "libraries: $LD_LIBRARY_PATH"
  if ldd "$BUNDLE_DIR"/bin/* | grep -q 'not found'; then
    log "run-gpu-checks: libraries not found: $(ldd "$BUNDLE_DIR"/bin/* | grep 'not found' | awk '{print $1}' | sort -u | paste -sd' ' -)"
    FAILED+=("libraries")
  fi
  SUITE_DIR="$BUNDLE_DIR/bin"
  CLI="$BUNDLE_DIR/bin/attnscope-cli"
  # The GPU suites, then every variant on every backend, one step each.
  for t in "${SUITES[@]}"; do step "suite $t" 90 "$SUITE_DIR/$t"; done
else
  LAUNCHER=()
  command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
  # Ninja, whose -k 0 keeps building past a failing target.
  GENERATOR=(-G Ninja)
  if ! command -v ninja >/dev/null; then
    echo "run-gpu-checks: needs ninja (apt-get install ninja-build)" >&2
    exit 2
  fi
  if step "configure" 120 cmake -S "$ROOT" -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES="$ARCH" -DATTNSCOPE_GUI=OFF ${LAUNCHER[@]+"${LAUNCHER[@]}"}; then
    # Keep going past a target that fails to build, so the others still get tested.
    step "build" 300 cmake --build "$BUILD_DIR" -j "$JOBS" --target "${TARGETS[@]}" -- -k 0
    # The GPU suites, then every variant on every backend (the CUDA backend included now that a device is here).
    # A suite whose executable did not build shows as "Not Run" and fails this step.
    step "gpu tests" 150 ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -R '^(gpu\.|backends\.test_backend_ops$|backends\.test_kernel_table$|core\.test_cuda_host_pieces$)'
    SUITE_DIR="$BUILD_DIR/tests"
    CLI="$BUILD_DIR/app/cli/attnscope-cli"
    [[ -x "$CLI" ]] || CLI=$(find "$BUILD_DIR" -name attnscope-cli -type f -perm -u+x | head -n 1)
  else
    CLI="-"  # nothing was built
  fi
fi

if [[ "$CLI" == "-" ]]; then
  :
elif [[ -n "$CLI" && -x "$CLI" ]]; then
  step "cli info" 30 "$CLI" info
  # One run timed by CUPTI, then the same with CUPTI turned off: the cudaEvent
  # fallback must run and say so in the result's notes.
  step "dense n=8192 (cupti)" 30 "$CLI" run --backend cuda --variant dense --n 8192 --precision bf16
  step "dense n=8192 (ATTNSCOPE_CUPTI=off, events)" 30 env ATTNSCOPE_CUPTI=off bash -c \
    '"$1" run --backend cuda --variant dense --n 8192 --precision bf16 --out-json "$2" && grep -q "CUPTI unavailable (turned off" "$2"' _ "$CLI" /tmp/attnscope-events.json
  # What CUPTI tracing costs (the suites above ran it too, but print only on failure).
  CUPTI_TEST=$(find "$SUITE_DIR" -name gpu_test_cupti_profiler -type f -perm -u+x | head -n 1)
  [[ -n "$CUPTI_TEST" ]] && step "cupti tracing overhead" 60 "$CUPTI_TEST" tracingOverhead
  if "$CLI" bench --help 2>&1 | grep -q -- '--backend'; then
    step "bench (cuda)" 120 "$CLI" bench --backend cuda --variants dense,sliding_window,linformer,performer --budget 5 --out-json "$(dirname "$RESULTS")/gpu-bench.json"
    # The same mask-based variants on the sm_90 wgmma kernel (not the default until this shows it right and faster).
    step "bench (cuda, wgmma)" 90 env ATTNSCOPE_CUDA_FLASH=wgmma "$CLI" bench --backend cuda --variants dense,sliding_window --budget 3 \
      --out-json "$(dirname "$RESULTS")/gpu-bench-wgmma.json"
  else
    log ""
    log "=== bench: skipped: this attnscope-cli's bench has no --backend flag yet ==="
  fi
  # Maps of long factored variants: the GPU's map kernel against the CPU's
  # (the summary line gives each map's time), both at n = 65536.
  for v in performer linformer; do
    step "map $v n=65536 (cuda)" 45 "$CLI" run --variant "$v" --n 65536 --backend cuda --out-map "/tmp/attnscope-map-$v-cuda.npy"
    step "map $v n=65536 (cpu)" 60 "$CLI" run --variant "$v" --n 65536 --out-map "/tmp/attnscope-map-$v-cpu.npy"
  done
  # The backend-ops cases timed on the cpu and the gpu side by side.
  OPS=$(find "$SUITE_DIR" -name backends_test_backend_ops -type f -perm -u+x | head -n 1)
  [[ -n "$OPS" ]] && step "backend ops (perf mode)" 150 env ATTNSCOPE_BACKEND_OPS=perf "$OPS" perfMode
  # Every variant on every backend again with the fp16/bf16 flash launches on the sm_90 wgmma kernel.
  [[ -n "$OPS" ]] && step "backend ops (wgmma)" 150 env ATTNSCOPE_CUDA_FLASH=wgmma "$OPS"
else
  log "attnscope-cli was not built"
  FAILED+=("cli")
fi

log ""
log "total: $(($(date +%s) - START)) s"
[[ ${#SKIPPED[@]} -gt 0 ]] && log "skipped at the deadline: ${SKIPPED[*]}"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  log "FAILED steps: ${FAILED[*]}"
  exit 1
fi
log "all steps passed"
