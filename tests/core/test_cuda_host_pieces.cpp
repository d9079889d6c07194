// The CUDA backend's host-side pieces, which compile without CUDA and so are
// tested in every build: the layout arrays the flash kernel reads and its
// element rule and walk (the same host/device functions the kernel runs),
// held to BlockLayout::allowed over every (i, j) of real variant layouts;
// what flashSupports refuses; the chunked online softmax; the CUPTI record
// processing (peak-memory replay, kernel spans); fp16/bf16 rounding.
#include <QtTest>

#include <cmath>
#include <limits>

#include "../../kernels/cupti_records.hpp"
#include "../../kernels/flash_layout_host.hpp"
#include "../../kernels/flash_tma_plan.hpp"
#include "../../kernels/flash_traits.hpp"
#include "../../kernels/low_precision.hpp"
#include "../../kernels/tile_math.hpp"
#include "attention/registry.hpp"
#include "naive_reference.hpp"

using namespace attnscope;
using namespace attnscope::kernels;
using namespace attnscope::testing;

namespace {

struct LayoutCase {
  std::string variant;
  std::vector<std::pair<std::string, std::string>> params;
  int64_t n;
  bool causal;
};

// Dense, bands with dilation, globals, block-granular random and dynamic
// tiles, and explicit Bits tiles, at lengths no block edge divides.
const std::vector<LayoutCase> kLayouts = {
    {"dense", {}, 150, false},
    {"dense", {}, 150, true},
    {"sliding_window", {{"window", "5"}, {"dilation", "2"}}, 100, false},
    {"sliding_window", {{"window", "20"}, {"dilation", "3"}}, 131, true},
    {"longformer", {{"window", "4"}, {"globals", "3"}, {"global_indices", "50,77"}}, 130, false},
    {"longformer", {{"window", "6"}, {"globals", "2"}}, 97, true},
    {"bigbird", {{"block", "16"}, {"random_blocks", "2"}}, 130, false},
    {"bigbird", {{"block", "8"}, {"random_blocks", "1"}}, 61, true},
    {"topk_dynamic", {{"block", "16"}, {"topk", "2"}}, 130, false},
    {"topk_dynamic", {{"block", "12"}, {"topk", "1"}}, 100, true},
    {"local_block", {{"block", "20"}}, 100, false},
    {"local_block", {{"block", "131"}}, 300, false},  // a prime block: 64-wide tiles straddle it, so Bits tiles
    {"local_block", {{"block", "97"}}, 250, true},
};

struct Built {
  BlockLayout layout;
  bool ok = false;
};

Built layoutOf(const LayoutCase& c, uint64_t seed = 7) {
  AttentionSpec spec = makeSpec(c.variant);
  for (const auto& [name, value] : c.params) spec.params.set(name, value);
  spec.causal = c.causal;
  const int64_t d = 16;
  const Mat q = randomMatrix(c.n, d, seed), k = randomMatrix(c.n, d, seed + 1), v = randomMatrix(c.n, d, seed + 2);
  const HeadInput in{q, k, v, nullptr, 0};
  const Shape shape{c.n, d, d, 1, c.causal, 1};
  std::optional<BlockLayout> l = VariantRegistry::instance().get(c.variant).layout(spec, shape, &in);
  Built b;
  if (l) {
    b.layout = std::move(*l);
    b.ok = true;
  }
  return b;
}

QString nameOf(const LayoutCase& c) { return QString("%1 n=%2%3").arg(QString::fromStdString(c.variant)).arg(c.n).arg(c.causal ? " causal" : ""); }

// Every listed tile, every (i, j): the flash rule over the flat arrays equals BlockLayout::allowed.
int compareRule(const BlockLayout& l, const FlashLayoutView& v, int head) {
  int mismatches = 0;
  for (int64_t qb = 0; qb < l.rowBlocks(); ++qb) {
    const int64_t begin = l.rowBegin(qb), end = l.rowEnd(qb);
    const int64_t shift = flashRowBegin(v, head, qb) - begin;  // later heads' entries are shifted in the concatenation
    if (flashRowEnd(v, head, qb) - flashRowBegin(v, head, qb) != end - begin) return -1;
    for (int64_t e = begin; e < end; ++e) {
      if (flashTileCol(v, e + shift) != l.tileCol(e)) return -1;
      const int64_t kb = l.tileCol(e);
      for (int64_t i = qb * l.block; i < std::min(l.n, (qb + 1) * l.block); ++i)
        for (int64_t j = kb * l.block; j < std::min(l.nKeys, (kb + 1) * l.block); ++j)
          if (flashAllowed(v, head, e + shift, i, j) != l.allowed(e, i, j)) ++mismatches;
    }
  }
  return mismatches;
}

// The kernel's walk (query tiles of tileRows rows, virtual key slots) visits
// exactly the allowed pairs, each once. Returns the pairs it found, -1 on a repeat or a stray pair.
int64_t walkPairs(const BlockLayout& l, const FlashLayoutView& v, int tileRows, const std::vector<uint8_t>& allowedPairs) {
  std::vector<uint8_t> seen(static_cast<size_t>(l.n * l.nKeys), 0);
  int64_t found = 0;
  const int64_t tiles = v.rowBlocks * flashTilesPerBlock(v, tileRows);
  for (int64_t x = 0; x < tiles; ++x) {
    const FlashQueryTile t = flashQueryTile(v, x, tileRows);
    const int64_t entryBegin = flashRowBegin(v, 0, t.qb);
    const int64_t virtualKeys = (flashRowEnd(v, 0, t.qb) - entryBegin) * v.block;
    const int64_t rowEnd = std::min(t.rowBegin + tileRows, t.rowLimit);
    for (int64_t s = 0; s < virtualKeys; ++s) {
      int64_t entry = 0;
      const int64_t j = flashSlotKey(v, entryBegin, s, &entry);
      if (j < 0) continue;
      for (int64_t i = t.rowBegin; i < rowEnd; ++i) {
        if (!flashTileAllows(v, flashTileKind(v, entry), flashTileBits(v, entry), i, j, flashGlobalRow(v, 0, i), flashGlobalCol(v, 0, j))) continue;
        const size_t at = static_cast<size_t>(i * l.nKeys + j);
        if (seen[at] || !allowedPairs[at]) return -1;
        seen[at] = 1;
        ++found;
      }
    }
  }
  return found;
}

// The kernels' rule (the row's and key's parts worked out once, as
// flashRowRule and fillSlots do) against the reference flashTileAllows at
// every pair the walk visits: each slot of each query block, each row of it.
int64_t fastRuleMismatches(const FlashLayoutView& v, int head) {
  int64_t mismatches = 0;
  for (int64_t qb = 0; qb < v.rowBlocks; ++qb) {
    const int64_t entryBegin = flashRowBegin(v, head, qb);
    const int64_t virtualKeys = (flashRowEnd(v, head, qb) - entryBegin) * v.block;
    for (int64_t t = 0; t < virtualKeys; ++t) {
      int64_t entry = 0, inTile = -1;
      const int64_t j = flashSlotKey(v, entryBegin, t, &entry, &inTile);
      if (j < 0) continue;  // padding: the kernels reject it before the rule
      const uint8_t kind = flashTileKind(v, entry);
      const int64_t bits = flashTileBits(v, entry);
      const int64_t keyTerm = flashKeyTerm(v, kind, bits, j, inTile);
      const bool colGlobal = flashGlobalCol(v, head, j);
      for (int64_t i = qb * v.block; i < std::min(v.n, (qb + 1) * v.block); ++i) {
        const bool rowGlobal = flashGlobalRow(v, head, i);
        const bool fast = flashTileAllowsFast(v, flashRowRule(v, qb, i, rowGlobal), kind, keyTerm, j, colGlobal);
        if (fast != flashTileAllows(v, kind, bits, i, j, rowGlobal, colGlobal)) ++mismatches;
      }
    }
  }
  return mismatches;
}

// The kernels' stepped walk (a chunk's cursor stepped from the last chunk's,
// each slot's from its chunk's, as fillSlots does) against flashSlotKey at
// every slot of every query block: key, entry and column within the tile.
int64_t cursorWalkMismatches(const FlashLayoutView& v, int head, int chunkSlots) {
  int64_t mismatches = 0;
  for (int64_t qb = 0; qb < v.rowBlocks; ++qb) {
    const int64_t entryBegin = flashRowBegin(v, head, qb);
    const int64_t rowTiles = flashRowEnd(v, head, qb) - entryBegin;
    const int64_t virtualKeys = rowTiles * v.block;
    FlashSlotCursor chunk{0, 0u};
    for (int64_t t0 = 0; t0 < virtualKeys; t0 += chunkSlots, chunk = flashSlotStep(v, chunk, static_cast<uint32_t>(chunkSlots))) {
      for (int c = 0; c < chunkSlots && t0 + c < virtualKeys; ++c) {
        const FlashSlotCursor at = flashSlotStep(v, chunk, static_cast<uint32_t>(c));
        int64_t entry = 0, inTile = -1;
        const int64_t j = flashSlotKey(v, entryBegin, t0 + c, &entry, &inTile);
        if (at.tile >= rowTiles || entryBegin + at.tile != entry || at.column != inTile || flashCursorKey(v, entryBegin, at) != j ||
            flashRowTileCol(v, entryBegin, at.tile) != flashTileCol(v, entry))
          ++mismatches;
      }
      // A chunk's first slot past the row's slots lies past its tiles, as fillSlots' padding test expects.
      if (t0 + chunkSlots >= virtualKeys && flashSlotStep(v, chunk, static_cast<uint32_t>(virtualKeys - t0)).tile != rowTiles) ++mismatches;
    }
  }
  return mismatches;
}

std::vector<uint8_t> allowedPairsOf(const BlockLayout& l) {
  std::vector<uint8_t> pairs(static_cast<size_t>(l.n * l.nKeys), 0);
  for (int64_t qb = 0; qb < l.rowBlocks(); ++qb)
    for (int64_t e = l.rowBegin(qb); e < l.rowEnd(qb); ++e) {
      const int64_t kb = l.tileCol(e);
      for (int64_t i = qb * l.block; i < std::min(l.n, (qb + 1) * l.block); ++i)
        for (int64_t j = kb * l.block; j < std::min(l.nKeys, (kb + 1) * l.block); ++j)
          if (l.allowed(e, i, j)) pairs[static_cast<size_t>(i * l.nKeys + j)] = 1;
    }
  return pairs;
}

}  // namespace

class TestCudaHostPieces : public QObject {
  Q_OBJECT

 private slots:
  void flashRuleEqualsBlockLayoutAllowed() {
    int checked = 0;
    for (const LayoutCase& c : kLayouts) {
      const Built b = layoutOf(c);
      QVERIFY2(b.ok, qPrintable(nameOf(c) + ": no layout"));
      const FlashLayoutArrays arrays = buildFlashLayout(b.layout);
      const FlashLayoutView v = hostView(arrays);
      QCOMPARE(v.rowBlocks, b.layout.rowBlocks());
      const int mismatches = compareRule(b.layout, v, 0);
      QVERIFY2(mismatches == 0, qPrintable(nameOf(c) + QString(": %1 pairs differ (-1: CSR differs)").arg(mismatches)));
      ++checked;
    }
    QCOMPARE(checked, static_cast<int>(kLayouts.size()));
  }

  void fastRuleEqualsReferenceRule() {
    // Every case above (all tile kinds, dilated bands with negative offsets,
    // causal, Bits tiles wider than a word, short last blocks), and per-head layouts.
    for (const LayoutCase& c : kLayouts) {
      const FlashLayoutArrays arrays = buildFlashLayout(layoutOf(c).layout);
      const int64_t mismatches = fastRuleMismatches(hostView(arrays), 0);
      QVERIFY2(mismatches == 0, qPrintable(nameOf(c) + QString(": %1 pairs differ").arg(mismatches)));
    }
    const Built h0 = layoutOf(kLayouts[8], 7), h1 = layoutOf(kLayouts[8], 1234);
    const FlashLayoutArrays perHead = buildFlashLayout(std::vector<const BlockLayout*>{&h0.layout, &h1.layout});
    QCOMPARE(fastRuleMismatches(hostView(perHead), 1), int64_t{0});

    // Band tiles near the 2^31 position limit, and dilations past 32 bits,
    // which the residues clamp to 2^31.
    FlashLayoutView v;
    v.n = v.nKeys = std::numeric_limits<int32_t>::max();
    v.block = 64;
    v.rowBlocks = v.colBlocks = (v.n + v.block - 1) / v.block;
    std::vector<int64_t> positions;
    for (int64_t p = 0; p < 40; ++p) positions.insert(positions.end(), {p, v.n - 1 - p, (int64_t{1} << 30) + p});
    for (int64_t dilation : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{7}, (int64_t{1} << 31) - 1, int64_t{1} << 31, (int64_t{1} << 33) + 5})
      for (bool causal : {false, true}) {
        v.dilation = dilation;
        v.causal = causal;
        v.bandLo = -(int64_t{1} << 31);
        v.bandHi = 20;
        int mismatches = 0;
        for (int64_t i : positions)
          for (int64_t j : positions) {
            const int64_t keyTerm = flashKeyTerm(v, kFlashBand, -1, j, j % v.block);
            mismatches += flashTileAllowsFast(v, flashRowRule(v, i / v.block, i, false), kFlashBand, keyTerm, j, false) !=
                          flashTileAllows(v, kFlashBand, -1, i, j, false, false);
          }
        QVERIFY2(mismatches == 0, qPrintable(QString("dilation %1%2: %3 pairs differ").arg(dilation).arg(causal ? " causal" : "").arg(mismatches)));
      }
  }

  void layoutsCoverEveryTileKind() {
    // The cases above must exercise every tile kind and both kinds of global flag, or the rule test proves less than it says.
    bool kinds[4] = {false, false, false, false};
    bool globalRow = false, globalCol = false;
    for (const LayoutCase& c : kLayouts) {
      const FlashLayoutArrays a = buildFlashLayout(layoutOf(c).layout);
      for (uint8_t k : a.kind) kinds[k] = true;
      globalRow = globalRow || !a.globalRow.empty();
      globalCol = globalCol || !a.globalCol.empty();
    }
    QVERIFY(kinds[kFlashFull] && kinds[kFlashBand] && kinds[kFlashGlobalOnly] && kinds[kFlashBits]);
    QVERIFY(globalRow && globalCol);
  }

  void kernelWalkVisitsExactlyTheAllowedPairs() {
    for (const LayoutCase& c : kLayouts) {
      const Built b = layoutOf(c);
      const FlashLayoutArrays arrays = buildFlashLayout(b.layout);
      const FlashLayoutView v = hostView(arrays);
      const std::vector<uint8_t> allowed = allowedPairsOf(b.layout);
      for (int tileRows : {FlashFp32Traits<64>::kBlockM, FlashMmaTraits<64>::kBlockM, 16}) {
        const int64_t found = walkPairs(b.layout, v, tileRows, allowed);
        QVERIFY2(found == b.layout.countAllowedPairs(),
                 qPrintable(nameOf(c) + QString(", %1-row tiles: walk found %2 pairs, layout has %3 (-1: repeat or stray)").arg(tileRows).arg(found).arg(b.layout.countAllowedPairs())));
      }
    }
  }

  void steppedWalkEqualsSlotKey() {
    // Every case above (narrow and prime-width tiles, short last blocks,
    // implicit dense rows) in the kernels' chunk sizes and sizes no block
    // edge divides, and per-head layouts.
    for (const LayoutCase& c : kLayouts) {
      const FlashLayoutArrays arrays = buildFlashLayout(layoutOf(c).layout);
      for (int chunkSlots : {1, 7, FlashFp32Traits<64>::kBlockN, FlashMmaTraits<64>::kBlockN, FlashMmaTraits<256, 128>::kBlockN, 100}) {
        const int64_t mismatches = cursorWalkMismatches(hostView(arrays), 0, chunkSlots);
        QVERIFY2(mismatches == 0, qPrintable(nameOf(c) + QString(", chunks of %1: %2 slots differ").arg(chunkSlots).arg(mismatches)));
      }
    }
    const Built h0 = layoutOf(kLayouts[8], 7), h1 = layoutOf(kLayouts[8], 1234);
    const FlashLayoutArrays perHead = buildFlashLayout(std::vector<const BlockLayout*>{&h0.layout, &h1.layout});
    QCOMPARE(cursorWalkMismatches(hostView(perHead), 1, 64), int64_t{0});

    // At the widest block, a column near its end plus a step near 2^31 still
    // fits 32 bits: the stepped cursor equals 64-bit division of the slot.
    FlashLayoutView v;
    v.block = kFlashMaxBlock;
    v.n = v.nKeys = std::numeric_limits<int32_t>::max();
    v.rowBlocks = v.colBlocks = 1;
    v.implicitDense = true;
    for (int64_t column : {int64_t{0}, int64_t{1}, kFlashMaxBlock - 64, kFlashMaxBlock - 1})
      for (int64_t count : {int64_t{0}, int64_t{1}, int64_t{63}, int64_t{64}, kFlashMaxBlock - column - 1, kFlashMaxBlock - column, kFlashMaxBlock,
                            (int64_t{1} << 31) - 1}) {
        const FlashSlotCursor at = flashSlotStep(v, FlashSlotCursor{5, static_cast<uint32_t>(column)}, static_cast<uint32_t>(count));
        const int64_t t = 5 * v.block + column + count;
        QVERIFY2(at.tile == t / v.block && at.column == t % v.block, qPrintable(QString("column %1 + %2").arg(column).arg(count)));
      }
  }

  void perHeadLayoutsConcatenate() {
    // Different inputs give topk_dynamic different tiles per head; bigbird differs by seed.
    for (const LayoutCase& c : {kLayouts[8], kLayouts[6], kLayouts[4]}) {
      const Built h0 = layoutOf(c, 7), h1 = layoutOf(c, 1234);
      const FlashLayoutArrays arrays = buildFlashLayout(std::vector<const BlockLayout*>{&h0.layout, &h1.layout});
      QVERIFY(arrays.perHead);
      const FlashLayoutView v = hostView(arrays);
      QCOMPARE(compareRule(h0.layout, v, 0), 0);
      QCOMPARE(compareRule(h1.layout, v, 1), 0);
    }
    // Layouts that disagree on the block edge are refused, naming what differs.
    const Built a = layoutOf(kLayouts[6]), b = layoutOf(kLayouts[8]);
    BlockLayout other = b.layout;
    other.block = 32;
    try {
      buildFlashLayout(std::vector<const BlockLayout*>{&a.layout, &other});
      QFAIL("mismatched layouts accepted");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("block edge") != std::string::npos);
    }
  }

  void flashSupportsSaysWhy() {
    const BlockLayout dense = denseLayout(100, 64, false);
    FlashRequest r;
    r.d = r.dv = 64;
    r.n = r.nKeys = 100;
    r.computeCapability = 90;
    QCOMPARE(QString::fromStdString(flashSupports(r, dense)), QString());
    for (FlashElement e : {FlashElement::Fp16, FlashElement::Bf16}) {
      r.element = e;
      QVERIFY(flashSupports(r, dense).empty());
      r.computeCapability = 75;
      QVERIFY(flashSupports(r, dense).find("8.0") != std::string::npos);
      r.computeCapability = 90;
    }
    r.element = FlashElement::Fp32;
    r.computeCapability = 75;
    QVERIFY(flashSupports(r, dense).empty());  // the fp32 path needs no tensor cores
    r.d = r.dv = 48;
    QVERIFY(flashSupports(r, dense).find("d = 48") != std::string::npos);
    r.d = r.dv = 256;
    QVERIFY(!flashSupports(r, dense).empty());
    r.dv = 128;
    QVERIFY(flashSupports(r, dense).empty());  // V half as wide: the widest pair
    r.d = 64;
    r.dv = 48;
    QVERIFY(flashSupports(r, dense).find("dv = 48") != std::string::npos);
    r.dv = 32;
    QVERIFY(flashSupports(r, dense).empty());
    r.dv = 64;
    r.n = int64_t{1} << 31;  // the element rule keeps positions in 32 bits
    QVERIFY(flashSupports(r, dense).find("query rows") != std::string::npos);
    BlockLayout wide = denseLayout(100, kFlashBitsMaxBlock + 1, false);
    r.n = 100;
    QVERIFY(flashSupports(r, wide).empty());
    wide.bits = {0};  // explicit bits on so wide a tile: its bit index would pass 32 bits
    QVERIFY(flashSupports(r, wide).find("65536") != std::string::npos);
    wide = denseLayout(100, kFlashMaxBlock + 1, false);  // the walk steps within a tile in 32 bits
    QVERIFY(flashSupports(r, wide).find("2^31 - 1") != std::string::npos);
    QVERIFY(flashSupports(r, denseLayout(100, kFlashMaxBlock, false)).empty());
    r.n = r.nKeys = 101;
    QVERIFY(flashSupports(r, dense).find("layout is for") != std::string::npos);
    r.n = r.nKeys = 100;
    r.heads = 70000;
    QVERIFY(!flashSupports(r, dense).empty());
  }

  void flashCheckParamsCatchesBadLaunches() {
    const FlashLayoutArrays arrays = buildFlashLayout(denseLayout(40, 64, true));
    alignas(16) static uint16_t buffer[4096];
    FlashParams p;
    p.element = FlashElement::Fp16;
    p.n = p.nKeys = 40;
    p.d = p.dv = 32;
    p.q = p.k = p.v = buffer;
    p.o = reinterpret_cast<float*>(buffer);
    p.layout = hostView(arrays);
    setContiguousStrides(p);
    QCOMPARE(QString::fromStdString(flashCheckParams(p)), QString());
    p.k = buffer + 1;  // 2 bytes off: the 16-byte vector loads would fault
    QVERIFY(flashCheckParams(p).find("aligned") != std::string::npos);
    p.k = buffer;
    p.kRowStride = 36;
    QVERIFY(flashCheckParams(p).find("multiples of 8") != std::string::npos);
    p.element = FlashElement::Fp32;
    QVERIFY(flashCheckParams(p).empty());  // fp32 tiles load element by element
    p.n = int64_t{1} << 31;
    QVERIFY(flashCheckParams(p).find("query rows") != std::string::npos);
    p.n = 40;
    p.layout.block = kFlashMaxBlock + 1;
    p.layout.rowBlocks = p.layout.colBlocks = 1;
    QVERIFY(flashCheckParams(p).find("2^31 - 1") != std::string::npos);
    p.layout = hostView(arrays);
    QVERIFY(flashCheckParams(p).empty());
    p.d = p.dv = 40;
    QVERIFY(!flashCheckParams(p).empty());
  }

  void chunkedOnlineSoftmaxEqualsTwoPass() {
    // Chunks as the kernels see them: a fully masked chunk first (the row has
    // seen nothing yet), then chunks whose maxima rise and fall.
    const std::vector<std::vector<float>> chunks = {{-INFINITY, -INFINITY}, {0.5f, -1.0f, -INFINITY}, {3.0f, 2.0f}, {-INFINITY, -INFINITY}, {2.9f, -4.0f}};
    RowState st = initialRowState();
    double acc = 0, value = 1;
    double expectNum = 0, expectDen = 0;
    const double m = 3.0;
    for (const std::vector<float>& chunk : chunks) {
      float mx = -INFINITY;
      for (float s : chunk) mx = std::max(mx, s);
      acc *= onlineSoftmaxRescale(st, mx);
      float sum = 0;
      for (float s : chunk) {
        const float w = chunkWeight(st, s);
        QVERIFY(std::isfinite(w));
        acc += w * value;
        sum += w;
        if (std::isfinite(s)) {
          expectNum += std::exp(s - m) * value;
          expectDen += std::exp(s - m);
        }
        value += 1;
      }
      st.l += sum;
    }
    QVERIFY(std::abs(acc / st.l - expectNum / expectDen) < 1e-5);
    QVERIFY(std::abs(rowLogSumExp(st) - (m + std::log(expectDen))) < 1e-5);
    // A row that never sees an allowed key stays empty: O = 0, LSE = -inf.
    RowState empty = initialRowState();
    QCOMPARE(onlineSoftmaxRescale(empty, -INFINITY), 1.0f);
    QCOMPARE(chunkWeight(empty, -INFINITY), 0.0f);
    QVERIFY(std::isinf(rowLogSumExp(empty)));
  }

  void peakDeviceMemoryFromAllocationRecords() {
    // Out of timestamp order on purpose: records arrive per buffer, not in time order.
    const std::vector<MemoryEvent> events = {
        {0xA000, 100, true, 10, 0, 0}, {0xC000, 200, true, 40, 0, 0}, {0xB000, 50, true, 20, 0, 0}, {0xA000, 100, false, 30, 0, 0},
        {0xB000, 999, false, 50, 0, 0},  // a release frees what the address holds (50), whatever it claims
        {0xD000, 7, false, 55, 0, 0},    // allocated before tracing began
        {0xC000, 200, false, 60, 0, 0},
    };
    const MemoryReplay r = replayDeviceMemory(events);
    QCOMPARE(r.peakBytes, int64_t{250});  // B (50) + C (200) after A was freed; A + B was only 150
    QCOMPARE(r.finalBytes, int64_t{0});
    QCOMPARE(r.unmatchedReleases, 1);
    QCOMPARE(static_cast<int>(r.timeline.size()), 6);
    QCOMPARE(r.timeline.front().timeNs, int64_t{10});
    QCOMPARE(r.timeline.back().bytes, int64_t{0});
  }

  void kernelRecordBecomesASpan() {
    KernelRecord k;
    k.name = "_ZN9attnscope7kernels12_GLOBAL__N_115flashForwardMmaILi128ELb1EEEvNS0_11FlashParamsE";
    k.startNs = 1000;
    k.endNs = 1000 + 2'000'000;  // 2 ms
    k.device = 0;
    k.stream = 7;
    k.gridX = 64, k.gridY = 8;
    k.blockX = 128;
    k.registersPerThread = 166;
    k.dynamicSharedBytes = 54144;
    const Span s = kernelSpan(k, 500, 4e12, 0);
    QCOMPARE(s.category, SpanCategory::Kernel);
    QCOMPARE(s.startNs, int64_t{1500});
    QCOMPARE(s.durationNs, int64_t{2'000'000});
    QCOMPARE(s.track, 7);
    QCOMPARE(QString::fromStdString(s.device), QString("cuda:0"));
    const QString name = QString::fromStdString(s.name);
    QVERIFY2(name.startsWith("flashForwardMma<128, true> ["), qPrintable(name));
    for (const char* part : {"grid 64x8x1", "block 128x1x1", "166 regs", "smem 54144 B", "2e+03 TFLOP/s"}) QVERIFY2(name.contains(part), qPrintable(name + " lacks " + part));
    QCOMPARE(teraflopsPerSecond(4e12, 2'000'000), 2000.0);
    QCOMPARE(gigabytesPerSecond(3e9, 1'000'000'000), 3.0);

    CuptiRecords records;
    records.kernels = {k, k};
    records.kernels[1].externalId = 5;
    records.copies.push_back(CopyRecord{CopyKind::Memcpy, "HtoD", 100, 1100, 4000, 0, 7, 0, 5});
    records.memory = {{0x10, 4096, true, 50, 0, 5}, {0x10, 4096, false, 5000, 0, 5}};
    QCOMPARE(totalKernelNs(records), int64_t{4'000'000});
    const CuptiRecords mine = recordsFor(records, 5);
    QCOMPARE(static_cast<int>(mine.kernels.size()), 1);
    QCOMPARE(static_cast<int>(mine.copies.size()), 1);
    const Trace t = recordsToTrace(mine, 0);
    QCOMPARE(static_cast<int>(t.spans.size()), 2);
    QCOMPARE(t.spans.front().category, SpanCategory::Memcpy);  // sorted by start
    QVERIFY(QString::fromStdString(t.spans.front().name).startsWith("memcpy HtoD"));
    QCOMPARE(t.peakBytes, int64_t{4096});
  }

  // Which chunks the wgmma kernel loads as TMA boxes, and the maps that takes.
  void tmaPlanFollowsTheLayoutsTiles() {
    alignas(16) static uint16_t data[64];
    FlashParams p;
    p.element = FlashElement::Bf16;
    p.heads = 3;
    p.n = 100;
    p.nKeys = 120;
    p.d = 128;
    p.dv = 64;
    p.q = p.k = p.v = data;
    setContiguousStrides(p);
    const auto rowsFor = [&](int64_t block) {
      p.layout.block = block;
      return flashTmaPlan(p, 64, 64).keyBoxRows;
    };
    QCOMPARE(rowsFor(64), 64);   // a chunk is one box
    QCOMPARE(rowsFor(128), 64);  // part of one wide tile
    QCOMPARE(rowsFor(16), 16);   // four narrow tiles, a box each
    QCOMPARE(rowsFor(8), 8);
    QCOMPARE(rowsFor(48), 0);    // a box would cross tiles: cp.async
    QCOMPARE(rowsFor(131), 0);
    p.layout.block = 64;
    const FlashTmaPlan plan = flashTmaPlan(p, 64, 64);
    QCOMPARE(plan.k.dims[0], int64_t{128});
    QCOMPARE(plan.k.dims[1], int64_t{120});  // keys past nKeys are outside: zero-filled
    QCOMPARE(plan.k.dims[2], int64_t{3});
    QCOMPARE(plan.k.strides[0], int64_t{256});
    QCOMPARE(plan.k.strides[1], int64_t{120 * 128 * 2});
    QCOMPARE(plan.v.dims[0], int64_t{64});
    QCOMPARE(plan.q.box[1], 64);
    QCOMPARE(plan.q.box[0], 64);  // one 128-byte swizzle span
    p.element = FlashElement::Fp32;
    QCOMPARE(flashTmaPlan(p, 64, 64).keyBoxRows, 0);
    p.element = FlashElement::Bf16;
    p.k = data + 1;  // not 16-byte aligned
    QCOMPARE(flashTmaPlan(p, 64, 64).keyBoxRows, 0);
  }

  void lowPrecisionRoundingMatchesTheHardwareRule() {
    QCOMPARE(roundToBf16(1.0f), 1.0f);
    QCOMPARE(roundToBf16(1.0f + std::ldexp(1.0f, -8)), 1.0f);                                // tie to even (down)
    QCOMPARE(roundToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), 1.0f + std::ldexp(1.0f, -6));     // tie to even (up)
    QCOMPARE(roundToBf16(-2.5f), -2.5f);
    QCOMPARE(roundToHalf(1.0f + std::ldexp(1.0f, -11)), 1.0f);                               // tie to even
    QCOMPARE(roundToHalf(1.0f + std::ldexp(1.0f, -10) + std::ldexp(1.0f, -11)), 1.0f + std::ldexp(1.0f, -9));
    QCOMPARE(roundToHalf(65504.0f), 65504.0f);
    QCOMPARE(roundToHalf(65519.0f), 65504.0f);
    QVERIFY(std::isinf(roundToHalf(65520.0f)));
    QCOMPARE(roundToHalf(std::ldexp(1.0f, -24)), std::ldexp(1.0f, -24));  // smallest subnormal
    QCOMPARE(roundToHalf(std::ldexp(1.0f, -26)), 0.0f);
    QCOMPARE(roundToHalf(0.1f), 0.0999755859375f);
  }
};

QTEST_GUILESS_MAIN(TestCudaHostPieces)
#include "test_cuda_host_pieces.moc"
