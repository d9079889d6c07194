// The interface between the ISA-neutral CPU code (block_sparse.cpp, gemm.cpp)
// and the per-ISA kernels (kernels_avx512.cpp, kernels_avx2.cpp,
// kernels_generic.cpp). Plain structs and function pointers only: no inline
// function, template or Eigen type crosses this line, because each ISA file is
// compiled with its own -m flags and the linker keeps one copy of any inline
// function it sees in several files (it could keep the AVX-512 copy on a
// machine without AVX-512).
#pragma once

#include <cstdint>

namespace attnscope::cpu {

// Packed K^T (and packed GEMM B): stripes of 16 columns, each stored as
// [depth][16] contiguous floats, zero-padded past the last column.
constexpr int kStripe = 16;

// A run of keys [j0, j0 + w) seen by one query block of `rows` rows.
struct Segment {
  int64_t j0 = 0;
  int32_t w = 0;
  int32_t full = 0;              // every row may see every key of the run
  const int32_t* lo = nullptr;   // !full: per row, allowed keys [j0+lo, j0+hi], empty when hi < lo
  const int32_t* hi = nullptr;
  const uint8_t* emask = nullptr;  // optional [rows x w] 1 = allowed, applied within the ranges
};

// One query block of the forward pass.
struct ForwardBlock {
  const float* q = nullptr;  // [rows x d], row stride ldq
  int64_t ldq = 0, rows = 0, d = 0;
  float scale2 = 0;          // scale * log2(e): scores in base-2 units
  const float* kt = nullptr; // packed K^T of the whole head (stripe stride 16 * d)
  const float* v = nullptr;  // [nKeys x dv], row stride ldv
  int64_t ldv = 0, dv = 0;   // dv == 0: row statistics only (no output)
  const Segment* segs = nullptr;
  int64_t nSegs = 0;
  float* out = nullptr;      // [rows x dv], row stride ldo
  int64_t ldo = 0;
  float* lse2 = nullptr;     // optional per row: log2-sum-exp2 of the base-2 scores (-inf when no key)
  float* scratch = nullptr;  // forwardScratchFloats() floats
  // Optional profiling: time in scores + softmax and in P V is added to
  // phaseNs[0] and phaseNs[1] (two clock reads per row group and segment).
  int64_t (*clock)() = nullptr;
  int64_t* phaseNs = nullptr;
};

// One query block's probabilities over one segment: p = 2^(s2 - lse2[r]),
// 0 where not allowed, written as [rows x w] with row stride ldp; with raw,
// the base-2 scores themselves, -inf where not allowed (lse2 unused).
struct ProbBlock {
  const float* q = nullptr;
  int64_t ldq = 0, rows = 0, d = 0;
  float scale2 = 0;
  const float* kt = nullptr;
  const float* lse2 = nullptr;
  Segment seg;
  float* p = nullptr;
  int64_t ldp = 0;
  float* scratch = nullptr;  // probScratchFloats() floats
  int raw = 0;
};

struct IsaTable {
  const char* name;
  int maxSegment;  // longest Segment::w the kernels accept
  // Packs columns [c0, c1) of op(B) (B is [depth x cols] row-major, or its
  // transpose when trans) into stripes starting at out; c0 is a multiple of 16.
  void (*packStripes)(const float* b, int64_t ldb, bool trans, int64_t depth, int64_t cols, int64_t c0, int64_t c1, float* out);
  int64_t (*forwardScratchFloats)(int64_t rows, int64_t d, int64_t dv);
  void (*forwardBlock)(const ForwardBlock& blk);
  int64_t (*probScratchFloats)(int64_t rows, int64_t d);
  void (*probBlock)(const ProbBlock& blk);
  // Per row of s [rows x w] (stride lds), base-2 scores, in place: lse2 =
  // log2 sum 2^s (-inf for a row of -inf), s = 2^(s - lse2) (0 for such rows);
  // one exponential per entry, then a scaling.
  void (*rowsSoftmax2)(float* s, int64_t lds, int64_t rows, int64_t w, float* lse2);
  // Column sums and maxima of p [rows x w] (row stride ldp), rows >= 1.
  void (*poolColumns)(const float* p, int64_t ldp, int64_t rows, int64_t w, float* colSum, float* colMax);
  // GEMM on one tile: C[m x n] += A[m x k] * Bpacked, A already scaled and
  // row-major (stride lda), Bpacked = stripes of k x 16 starting at C's column 0.
  void (*gemmTile)(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* bPacked, float* c, int64_t ldc);
};

const IsaTable& kernelsGeneric();
const IsaTable& kernelsAvx2();    // only when the CPU has AVX2 and FMA
const IsaTable& kernelsAvx512();  // only when the CPU has AVX-512 F/VL/BW/DQ

// The table for the ISA in use (cpu_isa.hpp).
const IsaTable& kernels();

}  // namespace attnscope::cpu
