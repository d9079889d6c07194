#include "backend/cpu/cpu_isa.hpp"

#include <atomic>
#include <cpuid.h>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/syscall.h>
#include <unistd.h>

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

namespace {

bool hasAvx512Bf16() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return detect(CpuIsa::Avx512) && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 5)) != 0;
}

// CPUID leaf 7: EDX bit 24 AMX-TILE, bit 22 AMX-BF16. Linux hands out the
// 8 KiB tile state only to a process that asks (arch_prctl, once; every
// thread inherits it); a kernel or hypervisor that refuses means no AMX.
bool hasAmx() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!hasAvx512Bf16() || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  if ((d & (1u << 24)) == 0 || (d & (1u << 22)) == 0) return false;
#if defined(__linux__) && defined(SYS_arch_prctl)
  constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}

bool detectBf16(CpuBf16 path) {
  static const bool avx512bf16 = hasAvx512Bf16(), amx = hasAmx();
  switch (path) {
    case CpuBf16::None: return true;
    case CpuBf16::Avx512Bf16: return avx512bf16;
    case CpuBf16::Amx: return amx;
  }
  return false;
}

CpuBf16 bestBf16() { return detectBf16(CpuBf16::Amx) ? CpuBf16::Amx : detectBf16(CpuBf16::Avx512Bf16) ? CpuBf16::Avx512Bf16 : CpuBf16::None; }

std::atomic<int>& currentBf16() {
  static std::atomic<int> path{[] {
    const char* env = std::getenv("ATTNSCOPE_CPU_BF16");
    CpuBf16 want = bestBf16();
    if (env && std::strcmp(env, "amx") == 0) want = CpuBf16::Amx;
    else if (env && std::strcmp(env, "avx512bf16") == 0) want = CpuBf16::Avx512Bf16;
    return static_cast<int>(detectBf16(want) && want != CpuBf16::None ? want : bestBf16());
  }()};
  return path;
}

}  // namespace

const char* cpuBf16Name(CpuBf16 path) {
  switch (path) {
    case CpuBf16::None: return "none";
    case CpuBf16::Avx512Bf16: return "avx512bf16";
    case CpuBf16::Amx: return "amx";
  }
  return "none";
}

bool cpuBf16Supported(CpuBf16 path) { return detectBf16(path); }

CpuBf16 cpuBf16() {
  if (cpuIsa() != CpuIsa::Avx512) return CpuBf16::None;
  return static_cast<CpuBf16>(currentBf16().load(std::memory_order_relaxed));
}

bool setCpuBf16(CpuBf16 path) {
  if (path == CpuBf16::None || !detectBf16(path)) return false;
  currentBf16().store(static_cast<int>(path), std::memory_order_relaxed);
  return true;
}

bool cpuBf16Usable() { return cpuBf16() != CpuBf16::None; }

std::string cpuBf16Refusal() {
  if (bestBf16() == CpuBf16::None) return "bf16 on the CPU needs AVX512-BF16 or AMX-BF16, which this CPU lacks";
  if (cpuIsa() != CpuIsa::Avx512)
    return std::string("bf16 on the CPU needs the avx512 kernel path, but the ") + cpuIsaName() + " path is in use (ATTNSCOPE_CPU_ISA)";
  return {};
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
