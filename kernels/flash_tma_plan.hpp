// Which tiles the sm_90 wgmma kernel loads by TMA, and the tensor maps that
// takes, as plain data: the GPU host encodes them with cuTensorMapEncodeTiled
// (flash_fwd_wgmma.cu), the emulated suite copies them into its own maps, so
// both run the same rule. No CUDA here.
#pragma once

#include <cstdint>

#include "flash_params.hpp"

namespace attnscope::kernels {

// One rank-3 tensor of 16-bit elements, x (width) innermost, then y (rows),
// z (heads); boxes of box[0] x box[1] x 1, 128-byte swizzled, zero outside.
struct FlashTmaTensor {
  const void* base = nullptr;
  int64_t dims[3] = {1, 1, 1};
  int64_t strides[2] = {0, 0};  // bytes between rows, between heads
  int box[3] = {1, 1, 1};
};

struct FlashTmaPlan {
  // Rows per K/V box; 0: no TMA, every tile by cp.async. A box never crosses
  // a layout tile, whose keys are contiguous (colBlock * block + [0, block)):
  // a chunk of `blockN` slots is one box when the layout's block is a
  // multiple of blockN, blockN / block boxes when block is 8, 16 or 32 (and
  // divides blockN); other blocks gather slot by slot with cp.async.
  int keyBoxRows = 0;
  FlashTmaTensor q, k, v;
};

inline FlashTmaPlan flashTmaPlan(const FlashParams& p, int blockM, int blockN) {
  FlashTmaPlan plan;
  const int64_t b = p.layout.block;
  int rows = 0;
  if (b % blockN == 0) rows = blockN;
  else if ((b == 8 || b == 16 || b == 32) && blockN % b == 0) rows = static_cast<int>(b);
  // TMA wants 16-byte aligned bases and strides (and at most 2^40-byte strides: never near here).
  const auto aligned = [](const void* ptr, int64_t rowStride, int64_t headStride) {
    return reinterpret_cast<uintptr_t>(ptr) % 16 == 0 && (rowStride * 2) % 16 == 0 && (headStride * 2) % 16 == 0;
  };
  if (rows == 0 || p.element == FlashElement::Fp32 || !aligned(p.q, p.qRowStride, p.qHeadStride) || !aligned(p.k, p.kRowStride, p.kHeadStride) ||
      !aligned(p.v, p.vRowStride, p.vHeadStride))
    return plan;
  const auto tensor = [&](const void* base, int64_t width, int64_t rowCount, int64_t rowStride, int64_t headStride, int boxRows) {
    FlashTmaTensor t;
    t.base = base;
    t.dims[0] = width;
    t.dims[1] = rowCount;
    t.dims[2] = p.heads;
    t.strides[0] = rowStride * 2;
    t.strides[1] = (p.heads > 1 ? headStride : rowCount * rowStride) * 2;
    t.box[0] = 64;  // one 128-byte swizzle span: a 64-column panel
    t.box[1] = boxRows;
    t.box[2] = 1;
    return t;
  };
  plan.keyBoxRows = rows;
  plan.q = tensor(p.q, p.d, p.n, p.qRowStride, p.qHeadStride, blockM);
  plan.k = tensor(p.k, p.d, p.nKeys, p.kRowStride, p.kHeadStride, rows);
  plan.v = tensor(p.v, p.dv, p.nKeys, p.vRowStride, p.vHeadStride, rows);
  return plan;
}

}  // namespace attnscope::kernels
