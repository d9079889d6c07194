#!/usr/bin/env bash
# Packs the GPU checks, built here, for a GPU machine that has an NVIDIA
# driver and the CUDA runtime libraries but not this project's build
# dependencies (Qt, ICU, Eigen): the check executables and the shared
# libraries they load that are neither the C runtime nor CUDA's, in one
# .tar.xz. On the GPU machine, run-gpu-checks.sh with PREBUILT=FILE runs
# them instead of configuring and building (docs/cuda.md). Run from the
# repository root:
#
#   tests/gpu/bundle-gpu-checks.sh BUNDLE.tar.xz
#
# Environment: BUILD_DIR (default build-gpu-bundle), ARCH (CUDA
# architectures, default "80;90"), JOBS (default: all cores).
set -euo pipefail

ROOT=$(pwd)
if [[ ! -f "$ROOT/CMakeLists.txt" || ! -d "$ROOT/kernels" || $# -ne 1 ]]; then
  echo "usage (from the repository root): tests/gpu/bundle-gpu-checks.sh BUNDLE.tar.xz" >&2
  exit 2
fi
BUNDLE=$(realpath -m "$1")
BUILD_DIR=${BUILD_DIR:-$ROOT/build-gpu-bundle}
ARCH=${ARCH:-80;90}
JOBS=${JOBS:-$(nproc)}
command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]] || { echo "bundle-gpu-checks: needs nvcc" >&2; exit 2; }

GPU_TARGETS=()
for f in "$ROOT"/tests/gpu/test_*.cpp; do GPU_TARGETS+=("gpu_$(basename "${f%.cpp}")"); done
TARGETS=("${GPU_TARGETS[@]}" backends_test_backend_ops backends_test_kernel_table core_test_cuda_host_pieces attnscope-cli)

LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$ARCH" \
  -DATTNSCOPE_GUI=OFF ${LAUNCHER[@]+"${LAUNCHER[@]}"} >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${TARGETS[@]}"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/lib"
for t in "${TARGETS[@]}"; do
  exe=$(find "$BUILD_DIR" -name "$t" -type f -perm -u+x -print -quit)
  [[ -n "$exe" ]] || { echo "bundle-gpu-checks: $t was not built" >&2; exit 1; }
  cp "$exe" "$STAGE/bin/"
  strip "$STAGE/bin/$t"
done
# What the executables load, less what every Linux (the C and C++ runtimes)
# or every CUDA installation (its runtime, cuBLAS, CUPTI and the driver) has:
# those must be the GPU machine's own, matched to its driver.
SYSTEM='^(linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libutil\.so|libgcc_s\.so|libstdc\+\+\.so|libcuda\.so|libcudart\.so|libcublas\.so|libcublasLt\.so|libcupti\.so|libnvrtc|libnvJitLink)'
for exe in "$STAGE"/bin/*; do
  ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  [[ "$name" =~ $SYSTEM ]] || cp -L "$path" "$STAGE/lib/$name"
done
{
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) $(git -C "$ROOT" diff --quiet 2>/dev/null || echo '(with uncommitted changes)')"
  echo "built: $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname)"
  echo "cuda architectures: $ARCH"
  echo "nvcc: $( (command -v nvcc >/dev/null && nvcc --version || /usr/local/cuda/bin/nvcc --version) | tail -n 2 | head -n 1)"
  echo "needs at run time: an NVIDIA driver and these CUDA libraries:"
  for exe in "$STAGE"/bin/*; do ldd "$exe" | awk '{print $1}'; done | sort -u | { grep -E '^(libcudart|libcublas|libcublasLt|libcupti|libnvrtc|libnvJitLink)[^ ]*\.so' || true; } | sed 's/^/  /'
} >"$STAGE/BUILD_INFO"
mkdir -p "$(dirname "$BUNDLE")"
tar -C "$STAGE" -cJf "$BUNDLE" .
echo "bundle-gpu-checks: $BUNDLE ($(du -h "$BUNDLE" | cut -f1)): $(ls "$STAGE/bin" | wc -l) executables, $(ls "$STAGE/lib" | wc -l) libraries"
