// The interface between the ISA-neutral bf16 driver (block_sparse_bf16.cpp)
// and kernels_avx512bf16.cpp, the only file compiled with -mavx512bf16. Plain
// structs and function pointers only, for the reason isa_table.hpp gives: an
// inline function seen by both sides could be kept in its AVX512-BF16 copy.
#pragma once

#include <cstdint>

#include "backend/cpu/isa_table.hpp"

namespace attnscope::cpu {

// A bf16 value as its 16 bits (the top half of the fp32 it was rounded from).
using Bf16 = uint16_t;

// Packed K: stripes of 16 keys, each [d2p][16 keys][2] bf16 (depth pairs
// interleaved, so one 32-bit lane holds one key's two depths), d2p = ceil(d/2)
// rounded up to the table's depthPairAlign, zero past d and past the last key.
// Packed V: [ceil(nKeys/2) + kValuePadPairs][dvp][2] bf16 (key pairs
// interleaved), dvp = dv rounded up to 16, zero padded: a kernel may read up
// to kValuePadPairs pairs past the last key (their P is zero). (Sizes are
// computed on each side on its own: no inline function crosses this line.)
constexpr int64_t kValuePadPairs = 16;

// One query block of the bf16 forward pass (fields as in ForwardBlock).
struct Bf16ForwardBlock {
  const float* q = nullptr;  // fp32 [rows x d], row stride ldq; scaled and rounded to bf16 by the kernel
  int64_t ldq = 0, rows = 0, d = 0;
  float scale2 = 0;          // scale * log2(e)
  const Bf16* kt = nullptr;  // packed K of the whole head
  const Bf16* v = nullptr;   // packed V of the whole head
  int64_t dv = 0;            // 0: row statistics only
  const Segment* segs = nullptr;
  int64_t nSegs = 0;
  float* out = nullptr;      // fp32 [rows x dv], row stride ldo
  int64_t ldo = 0;
  float* lse2 = nullptr;     // optional per row, base 2 (-inf when no key)
  float* scratch = nullptr;  // forwardScratchFloats() floats
  int64_t (*clock)() = nullptr;
  int64_t* phaseNs = nullptr;  // [0] scores + softmax, [1] P V
};

struct Bf16Table {
  const char* name;
  int maxSegment;
  int depthPairAlign;  // packed K and Q depth pairs rounded up to a multiple of this
  // Stripes [s0, s1) of packed K (k is [nKeys x d] row-major, d2p depth pairs), written from out.
  void (*packKeys)(const float* k, int64_t ldk, int64_t nKeys, int64_t d, int64_t d2p, int64_t s0, int64_t s1, Bf16* out);
  // Key pairs [p0, p1) of packed V (v is [nKeys x dv] row-major), written from out.
  void (*packValues)(const float* v, int64_t ldv, int64_t nKeys, int64_t dv, int64_t p0, int64_t p1, Bf16* out);
  int64_t (*forwardScratchFloats)(int64_t rows, int64_t d, int64_t dv);
  void (*forwardBlock)(const Bf16ForwardBlock& blk);
};

// Only on a CPU with AVX512-BF16 (cpu_isa.hpp).
const Bf16Table& kernelsAvx512Bf16();
// Only on a CPU with AMX-BF16 whose OS granted this process the tile state.
const Bf16Table& kernelsAmx();

}  // namespace attnscope::cpu
