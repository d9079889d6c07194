#include "flash_layout_host.hpp"

#include <limits>

#include "common/error.hpp"
#include "flash_traits.hpp"

namespace attnscope::kernels {

static_assert(static_cast<uint8_t>(TileMask::Full) == kFlashFull && static_cast<uint8_t>(TileMask::Band) == kFlashBand &&
                  static_cast<uint8_t>(TileMask::GlobalOnly) == kFlashGlobalOnly && static_cast<uint8_t>(TileMask::Bits) == kFlashBits,
              "flash tile kinds must mirror TileMask");

namespace {

void requireSame(int64_t a, int64_t b, const char* what, size_t head) {
  if (a != b)
    throw Error(ErrorKind::InvalidArgument, std::string("flash layout: head ") + std::to_string(head) + " has a different " + what + " (" +
                                                std::to_string(b) + " vs " + std::to_string(a) + ")");
}

}  // namespace

int64_t FlashLayoutArrays::bytes() const {
  return static_cast<int64_t>(rowStart.size() * sizeof(int64_t) + colBlock.size() * sizeof(int32_t) + kind.size() + bitsOffset.size() * sizeof(int64_t) +
                              bits.size() * sizeof(uint64_t) + globalRow.size() + globalCol.size());
}

FlashLayoutArrays buildFlashLayout(const BlockLayout& layout) { return buildFlashLayout(std::vector<const BlockLayout*>{&layout}); }

FlashLayoutArrays buildFlashLayout(const std::vector<const BlockLayout*>& layouts) {
  if (layouts.empty() || layouts[0] == nullptr) throw Error(ErrorKind::InvalidArgument, "flash layout: no layout given");
  const BlockLayout& first = *layouts[0];
  if (first.block < 1) throw Error(ErrorKind::InvalidArgument, "flash layout: block edge must be at least 1");
  FlashLayoutArrays a;
  FlashLayoutView& s = a.scalars;
  s.n = first.n;
  s.nKeys = first.nKeys;
  s.block = first.block;
  s.rowBlocks = first.rowBlocks();
  s.colBlocks = first.colBlocks();
  s.causal = first.causal;
  s.implicitDense = first.implicitDense;
  s.bandLo = first.bandLo;
  s.bandHi = first.bandHi;
  s.dilation = first.dilation;
  a.perHead = layouts.size() > 1;

  bool anyGlobalRow = false, anyGlobalCol = false;
  for (size_t h = 0; h < layouts.size(); ++h) {
    if (layouts[h] == nullptr) throw Error(ErrorKind::InvalidArgument, "flash layout: head " + std::to_string(h) + " has no layout");
    const BlockLayout& l = *layouts[h];
    requireSame(first.n, l.n, "n", h);
    requireSame(first.nKeys, l.nKeys, "nKeys", h);
    requireSame(first.block, l.block, "block edge", h);
    requireSame(first.causal, l.causal, "causal flag", h);
    requireSame(first.implicitDense, l.implicitDense, "implicit-dense flag", h);
    // The band is a kernel-wide scalar; a head whose layout has no Band tile may differ harmlessly,
    // but keeping one rule is simpler than proving that.
    requireSame(first.bandLo, l.bandLo, "band start", h);
    requireSame(first.bandHi, l.bandHi, "band end", h);
    requireSame(first.dilation, l.dilation, "dilation", h);
    anyGlobalRow = anyGlobalRow || !l.globalRow.empty();
    anyGlobalCol = anyGlobalCol || !l.globalCol.empty();
  }
  if (first.implicitDense) {
    // Nothing stored; global flags cannot occur on an implicit layout (they would be no-ops: every pair is allowed).
    return a;
  }

  const int64_t rowsPerHead = s.rowBlocks + 1;
  for (const BlockLayout* lp : layouts) {
    const BlockLayout& l = *lp;
    if (static_cast<int64_t>(l.rowStart.size()) != rowsPerHead)
      throw Error(ErrorKind::InvalidArgument, "flash layout: CSR lists " + std::to_string(l.rowStart.size()) + " row starts, expected " + std::to_string(rowsPerHead));
    const int64_t entryShift = static_cast<int64_t>(a.colBlock.size());
    const int64_t bitsShift = static_cast<int64_t>(a.bits.size());
    for (int64_t r : l.rowStart) a.rowStart.push_back(r + entryShift);
    a.colBlock.insert(a.colBlock.end(), l.colBlock.begin(), l.colBlock.end());
    for (TileMask m : l.mask) a.kind.push_back(static_cast<uint8_t>(m));
    for (size_t e = 0; e < l.colBlock.size(); ++e) {
      const int64_t off = e < l.bitsOffset.size() ? l.bitsOffset[e] : -1;
      a.bitsOffset.push_back(off >= 0 ? off + bitsShift : -1);
    }
    a.bits.insert(a.bits.end(), l.bits.begin(), l.bits.end());
    if (anyGlobalRow) {
      if (l.globalRow.empty()) a.globalRow.insert(a.globalRow.end(), static_cast<size_t>(s.n), 0);
      else a.globalRow.insert(a.globalRow.end(), l.globalRow.begin(), l.globalRow.end());
    }
    if (anyGlobalCol) {
      if (l.globalCol.empty()) a.globalCol.insert(a.globalCol.end(), static_cast<size_t>(s.nKeys), 0);
      else a.globalCol.insert(a.globalCol.end(), l.globalCol.begin(), l.globalCol.end());
    }
  }
  if (a.perHead) {
    s.rowStartHeadStride = rowsPerHead;
    s.globalRowHeadStride = anyGlobalRow ? s.n : 0;
    s.globalColHeadStride = anyGlobalCol ? s.nKeys : 0;
  }
  return a;
}

FlashLayoutView hostView(const FlashLayoutArrays& a) {
  FlashLayoutView v = a.scalars;
  v.rowStart = a.rowStart.empty() ? nullptr : a.rowStart.data();
  v.colBlock = a.colBlock.empty() ? nullptr : a.colBlock.data();
  v.kind = a.kind.empty() ? nullptr : a.kind.data();
  v.bitsOffset = a.bitsOffset.empty() ? nullptr : a.bitsOffset.data();
  v.bits = a.bits.empty() ? nullptr : a.bits.data();
  v.globalRow = a.globalRow.empty() ? nullptr : a.globalRow.data();
  v.globalCol = a.globalCol.empty() ? nullptr : a.globalCol.data();
  return v;
}

bool flashWidthsSupported(int d, int dv) { return flashWidthPair(d, dv); }

bool flashHeadWidthSupported(int d) { return flashWidthPair(d, d); }

std::string flashWidthList() {
  std::string s;
#define ATTNSCOPE_FLASH_WIDTH_NAME(D, DV) s += std::string(s.empty() ? "" : ", ") + ((D) == (DV) ? std::to_string(D) : std::to_string(D) + "/" + std::to_string(DV));
  ATTNSCOPE_FLASH_WIDTHS(ATTNSCOPE_FLASH_WIDTH_NAME)
#undef ATTNSCOPE_FLASH_WIDTH_NAME
  return s;
}

std::string flashSupports(const FlashRequest& r, const BlockLayout& layout) {
  if (!flashWidthsSupported(r.d, r.dv))
    return "head widths d = " + std::to_string(r.d) + ", dv = " + std::to_string(r.dv) + " have no flash kernel (d, or d/dv: " + flashWidthList() + ")";
  if (r.element != FlashElement::Fp32 && r.computeCapability != 0 && r.computeCapability < 80)
    return "fp16/bf16 use mma.sync tensor cores, which need compute capability 8.0 or later (device has " + std::to_string(r.computeCapability / 10) + "." +
           std::to_string(r.computeCapability % 10) + ")";
  if (r.n < 1 || r.nKeys < 1) return "empty sequence (n = " + std::to_string(r.n) + ", keys = " + std::to_string(r.nKeys) + ")";
  if (r.nKeys > std::numeric_limits<int32_t>::max()) return "more than 2^31 - 1 keys (the kernel stages key indices as int32)";
  if (r.n > std::numeric_limits<int32_t>::max()) return "more than 2^31 - 1 query rows (the kernel's element rule keeps positions in 32 bits)";
  if (r.heads < 1 || r.heads > 65535) return "heads = " + std::to_string(r.heads) + " outside the launch grid's 1..65535";
  if (layout.n != r.n || layout.nKeys != r.nKeys)
    return "layout is for n = " + std::to_string(layout.n) + " x " + std::to_string(layout.nKeys) + " keys, the input has " + std::to_string(r.n) + " x " +
           std::to_string(r.nKeys);
  if (layout.block < 1) return "layout block edge " + std::to_string(layout.block) + " is not positive";
  if (layout.block > kFlashMaxBlock)
    return "layout block edge " + std::to_string(layout.block) + " (the kernels step through a tile in 32 bits: edge at most 2^31 - 1)";
  if (!layout.bits.empty() && layout.block > kFlashBitsMaxBlock)
    return "explicit-bit tiles of edge " + std::to_string(layout.block) + " (the kernel's bit index within a tile is 32-bit: edge at most 65536)";
  // Grid x is (query block) x (kernel query tiles per layout block); keep it in range.
  const int64_t subTiles = (layout.block + 15) / 16;  // the smallest kernel query tile is 16 rows
  if (layout.rowBlocks() * subTiles > std::numeric_limits<int32_t>::max()) return "too many query tiles for one launch";
  if (!layout.implicitDense && layout.entries() > std::numeric_limits<int32_t>::max()) return "layout has more than 2^31 tiles";
  return {};
}

void checkFlashInputs(const Qkv& qkv) {
  if (qkv.q.empty() || qkv.k.size() != qkv.q.size() || qkv.v.size() != qkv.q.size())
    throw Error(ErrorKind::InvalidArgument, "flash forward: Q, K and V need the same, non-zero number of heads");
  const int64_t keys = qkv.k.front().rows();
  for (size_t h = 0; h < qkv.q.size(); ++h)
    if (qkv.q[h].rows() != qkv.n() || qkv.k[h].rows() != keys || qkv.v[h].rows() != keys || qkv.q[h].cols() != qkv.d() || qkv.k[h].cols() != qkv.d() ||
        qkv.v[h].cols() != qkv.dv())
      throw Error(ErrorKind::InvalidArgument, "flash forward: head " + std::to_string(h) + " differs in shape from head 0 (or K and V differ in rows)");
}

std::string flashCheckParams(const FlashParams& p) {
  if (!flashWidthsSupported(p.d, p.dv)) return "head widths d = " + std::to_string(p.d) + ", dv = " + std::to_string(p.dv) + " not supported";
  if (p.heads < 1 || p.heads > 65535) return "heads out of range";
  if (p.n < 1 || p.nKeys < 1) return "empty sequence";
  if (p.nKeys > std::numeric_limits<int32_t>::max()) return "too many keys";
  if (p.n > std::numeric_limits<int32_t>::max()) return "too many query rows";  // flashDilationResidue needs positions below 2^31
  if (!p.q || !p.k || !p.v || !p.o) return "a Q, K, V or O pointer is null";
  if (p.layout.n != p.n || p.layout.nKeys != p.nKeys) return "layout size differs from n x nKeys";
  if (p.layout.block < 1 || p.layout.rowBlocks != (p.n + p.layout.block - 1) / p.layout.block ||
      p.layout.colBlocks != (p.nKeys + p.layout.block - 1) / p.layout.block)
    return "layout block counts do not match its block edge";
  if (p.layout.block > kFlashMaxBlock) return "layout block edge above 2^31 - 1";
  if (p.layout.bits && p.layout.block > kFlashBitsMaxBlock) return "explicit-bit tiles wider than 65536";
  if (!p.layout.implicitDense && !p.layout.rowStart)
    return "stored layout without CSR arrays";
  if (p.qRowStride < p.d || p.kRowStride < p.d || p.vRowStride < p.dv || p.oRowStride < p.dv) return "a row stride is narrower than the row";
  if (p.element != FlashElement::Fp32) {
    // 16-bit tiles are staged with 16-byte vector loads (8 elements).
    const auto misaligned = [](const void* ptr) { return (reinterpret_cast<uintptr_t>(ptr) % 16) != 0; };
    if (misaligned(p.q) || misaligned(p.k) || misaligned(p.v)) return "16-bit Q, K, V must be 16-byte aligned";
    if (p.qRowStride % 8 || p.kRowStride % 8 || p.vRowStride % 8 || p.qHeadStride % 8 || p.kHeadStride % 8 || p.vHeadStride % 8)
      return "16-bit Q, K, V strides must be multiples of 8 elements";
  }
  return {};
}

Qkv withZeroKeyRows(const Qkv& qkv, int64_t keys) {
  const auto extend = [keys](const Mat& x) {
    Mat out = Mat::Zero(keys, x.cols());
    out.topRows(x.rows()) = x;
    return out;
  };
  Qkv ext;
  ext.origin = qkv.origin;
  ext.q = qkv.q;
  for (const Mat& m : qkv.k) ext.k.push_back(extend(m));
  for (const Mat& m : qkv.v) ext.v.push_back(extend(m));
  return ext;
}

}  // namespace attnscope::kernels
