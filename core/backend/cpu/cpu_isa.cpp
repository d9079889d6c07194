#include "backend/cpu/cpu_isa.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/isa_table.hpp"

namespace attnscope {

namespace {

bool detect(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Generic: return true;
    // __builtin_cpu_supports also checks that the OS saves the ymm/zmm state.
    case CpuIsa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CpuIsa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
  }
  return false;
}

CpuIsa best() { return detect(CpuIsa::Avx512) ? CpuIsa::Avx512 : detect(CpuIsa::Avx2) ? CpuIsa::Avx2 : CpuIsa::Generic; }

// ATTNSCOPE_CPU_ISA asks for a path; one the CPU lacks falls back to the best it has.
CpuIsa initial() {
  const char* env = std::getenv("ATTNSCOPE_CPU_ISA");
  CpuIsa want = best();
  if (env && *env) {
    if (std::strcmp(env, "generic") == 0) want = CpuIsa::Generic;
    else if (std::strcmp(env, "avx2") == 0) want = CpuIsa::Avx2;
    else if (std::strcmp(env, "avx512") == 0) want = CpuIsa::Avx512;
  }
  return detect(want) ? want : best();
}

std::atomic<int>& current() {
  static std::atomic<int> isa{static_cast<int>(initial())};
  return isa;
}

}  // namespace

CpuIsa cpuIsa() { return static_cast<CpuIsa>(current().load(std::memory_order_relaxed)); }
const char* cpuIsaName(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Generic: return "generic";
    case CpuIsa::Avx2: return "avx2";
    case CpuIsa::Avx512: return "avx512";
  }
  return "generic";
}
const char* cpuIsaName() { return cpuIsaName(cpuIsa()); }
bool cpuIsaSupported(CpuIsa isa) { return detect(isa); }

bool setCpuIsa(CpuIsa isa) {
  if (!detect(isa)) return false;
  current().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

namespace cpu {
const IsaTable& kernels() {
  switch (cpuIsa()) {
    case CpuIsa::Avx512: return kernelsAvx512();
    case CpuIsa::Avx2: return kernelsAvx2();
    case CpuIsa::Generic: break;
  }
  return kernelsGeneric();
}
}  // namespace cpu

}  // namespace attnscope
