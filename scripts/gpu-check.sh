#!/bin/sh
# The GPU checks in one go, for a machine with an NVIDIA GPU: configure with
# the CUDA backend for this GPU's architecture, build the GPU suites and the
# CLI, run them, and print one dense timing per backend.
set -e
cd "$(dirname "$0")/.."
ARCH=${CUDA_ARCH:-90}
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_CUDA=ON -DATTNSCOPE_GUI=OFF -DCMAKE_CUDA_ARCHITECTURES="$ARCH"
cmake --build build-gpu -j "$(nproc)" --target attnscope-cli gpu_test_cuda_backend
build-gpu/app/cli/attnscope-cli info
build-gpu/tests/gpu/gpu_test_cuda_backend
for backend in cpu cuda; do
  build-gpu/app/cli/attnscope-cli run --variant dense --n 4096 --heads 1 --backend "$backend" --repeats 5
done
