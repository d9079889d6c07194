// Which vector ISA the CPU kernels run on. Chosen once from cpuid (AVX-512,
// else AVX2+FMA, else the portable path); ATTNSCOPE_CPU_ISA=avx512|avx2|generic
// forces a path (a path the CPU lacks falls back to the best it has).
#pragma once

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

}  // namespace attnscope
