// What the kernels take from CUDA: CUDA's own headers when nvcc builds them,
// or the CPU emulation (tests/emu/cuda_emu.hpp) when the test suite compiles
// the same kernel source for the host with ATTNSCOPE_CUDA_EMULATION, so the
// kernels' logic is tested in every build, GPU or not.
#pragma once

#if defined(ATTNSCOPE_CUDA_EMULATION)
#include "cuda_emu.hpp"
// The block's dynamic shared memory, as a pointer named `name`.
#define ATTNSCOPE_DYNAMIC_SHARED(name) unsigned char* const name = ::attnscope::emu::dynamicShared()
#else
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#define ATTNSCOPE_DYNAMIC_SHARED(name) extern __shared__ __align__(16) unsigned char name[]
#endif
