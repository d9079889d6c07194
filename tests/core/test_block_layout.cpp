// BlockLayout: CSR building, the element rule, and implicit dense layouts.
#include <QtTest>

#include "attention/block_layout.hpp"
#include "common/error.hpp"

using namespace attnscope;

class TestBlockLayout : public QObject {
  Q_OBJECT

 private slots:
  void denseLayoutCountsEveryPair() {
    for (int64_t n : {1, 5, 64, 130}) {
      const BlockLayout full = denseLayout(n, 64, false);
      QCOMPARE(full.countAllowedPairs(), n * n);
      const BlockLayout causal = denseLayout(n, 64, true);
      QCOMPARE(causal.countAllowedPairs(), n * (n + 1) / 2);
      QCOMPARE(full.storageBytes() < 64, true);  // nothing stored per tile
    }
  }

  void bandAndGlobalsCombine() {
    BlockLayout l;
    l.n = l.nKeys = 8;
    l.block = 4;
    l.bandLo = -1;
    l.bandHi = 1;
    l.globalCol.assign(8, 0);
    l.globalCol[6] = 1;
    l.addTile(0, TileMask::Band);
    l.addTile(1, TileMask::GlobalOnly);
    l.endRow();
    l.addTile(1, TileMask::Band);
    l.addTile(0, TileMask::Band);  // out of order on purpose: finish() sorts
    l.endRow();
    l.finish();
    QCOMPARE(l.tileCol(2), 0);
    QCOMPARE(l.tileCol(3), 1);
    QVERIFY(l.allowed(0, 1, 2));   // band
    QVERIFY(!l.allowed(0, 0, 2));  // outside band
    QVERIFY(l.allowed(1, 0, 6));   // global column
    QVERIFY(!l.allowed(1, 0, 5));
    QVERIFY(l.allowed(2, 4, 3));   // band crosses the block edge
  }

  void bitsTiles() {
    BlockLayout l;
    l.n = l.nKeys = 4;
    l.block = 4;
    l.addBitsTile(0, {0b1000'0100'0010'0001ull});  // the diagonal
    l.endRow();
    l.finish();
    QCOMPARE(l.countAllowedPairs(), int64_t{4});
    QVERIFY(l.allowed(0, 2, 2));
    QVERIFY(!l.allowed(0, 2, 1));
  }

  void rejectsInconsistentLayouts() {
    BlockLayout l;
    l.n = l.nKeys = 8;
    l.block = 4;
    QVERIFY_THROWS_EXCEPTION(Error, l.addTile(2, TileMask::Full));  // no key block 2
    l.addTile(0, TileMask::Full);
    l.addTile(0, TileMask::Full);
    l.endRow();
    l.endRow();
    QVERIFY_THROWS_EXCEPTION(Error, l.finish());  // block 0 listed twice
    BlockLayout missing;
    missing.n = missing.nKeys = 8;
    missing.block = 4;
    missing.endRow();
    QVERIFY_THROWS_EXCEPTION(Error, missing.finish());  // one query block short
  }
};

QTEST_APPLESS_MAIN(TestBlockLayout)
#include "test_block_layout.moc"
