// Which vector ISA the CPU kernels run on. Chosen once from cpuid (AVX-512,
// else AVX2+FMA, else the portable path); ATTNSCOPE_CPU_ISA=avx512|avx2|generic
// forces a path (a path the CPU lacks falls back to the best it has).
#pragma once

#include <string>

namespace attnscope {

enum class CpuIsa { Generic = 0, Avx2 = 1, Avx512 = 2 };

// The path in use, e.g. "avx512".
const char* cpuIsaName();
CpuIsa cpuIsa();
const char* cpuIsaName(CpuIsa isa);
// Whether this CPU (and OS) can run the path.
bool cpuIsaSupported(CpuIsa isa);
// Forces a path (tests, comparisons). Returns false, changing nothing, when
// the CPU cannot run it. Not to be called while kernels are running.
bool setCpuIsa(CpuIsa isa);

// The bf16 kernels, on top of the avx512 path (a path forced to avx2 or
// generic turns bf16 off as well): AMX tiles (kernels_amx.cpp; CPUID AMX-TILE
// and AMX-BF16, and the OS granting this process the tile state), else
// AVX512-BF16 dot products (kernels_avx512bf16.cpp). ATTNSCOPE_CPU_BF16=amx or
// avx512bf16 asks for one (one the CPU lacks falls back to the best it has).
enum class CpuBf16 { None = 0, Avx512Bf16 = 1, Amx = 2 };
const char* cpuBf16Name(CpuBf16 path);
bool cpuBf16Supported(CpuBf16 path);
// The path in use: None unless the avx512 path is.
CpuBf16 cpuBf16();
// Forces a path for tests and comparison; false (nothing changes) when the CPU cannot run it.
bool setCpuBf16(CpuBf16 path);
bool cpuBf16Usable();
// Why bf16 cannot run here (empty when it can).
std::string cpuBf16Refusal();

}  // namespace attnscope
