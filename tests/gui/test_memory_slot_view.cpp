// The memory-slot view replays the writes: the heatmap after a chosen segment,
// the provenance of a slot over the token axis, and transformer_xl's mass alone.
#include <QtTest>

#include <QChart>
#include <QLineSeries>
#include <QSlider>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "heatmap_view.hpp"
#include "memory_slot_view.hpp"
#include "view_export.hpp"

using namespace attnscope;

namespace {
// Two slots of width 3 over three segments of 4 tokens: segment s writes slot
// s % 2 with value s + 1 in dim s, and that slot's provenance is the segment's tokens.
std::vector<MemorySnapshot> snapshots() {
  std::vector<MemorySnapshot> out;
  Mat values = Mat::Zero(2, 3);
  for (int s = 0; s < 3; ++s) {
    MemorySnapshot snap;
    snap.segment = s;
    snap.endToken = 4 * (s + 1);
    values(s % 2, s) = static_cast<float>(s + 1);
    snap.slotValues = values;
    snap.provenance = Mat::Zero(2, snap.endToken);
    for (int k = 0; k <= s; ++k)
      for (int t = 4 * k; t < 4 * k + 4; ++t) snap.provenance(k % 2, t) = 0.25f;
    out.push_back(snap);
  }
  return out;
}

MemoryTrace traceOf(const std::vector<MemorySnapshot>& snaps) {
  HeadExtras extras;
  extras.memory = snaps;
  extras.memoryMass = {0.0, 0.3, 0.5};
  extras.notes = {"kept every segment"};
  return memoryTraceFrom(extras);
}

QColor cellColor(HeatmapView* map, int64_t i, int64_t j) {
  const QImage shot = renderWidgetImage(map);
  return shot.pixel(map->tokenCenter(i, j).toPoint());
}
}  // namespace

class TestMemorySlotView : public QObject {
  Q_OBJECT

 private slots:
  void segmentSliderReplaysTheWrites() {
    const auto snaps = snapshots();
    MemorySlotView view;
    view.resize(520, 700);
    view.setMemory(snaps, traceOf(snaps), "memory_slots, head 0");
    QVERIFY(view.showsSlots());
    QCOMPARE(view.segmentCount(), 3);
    QCOMPARE(view.currentSegment(), 2);  // starts at the last write
    renderWidgetImage(&view);            // lays the map out
    HeatmapView* map = view.slotMap();
    // After segment 2 slot 0 holds 3 in dim 2 (the top of the shared scale: yellow).
    QCOMPARE(cellColor(map, 0, 2), QColor(253, 231, 37));
    const QColor slot1dim1After2 = cellColor(map, 1, 1);
    view.segmentSlider()->setValue(0);
    QCOMPARE(view.currentSegment(), 0);
    // After segment 0 only slot 0, dim 0 is written; slot 0, dim 2 is still empty.
    QCOMPARE(cellColor(map, 0, 2), QColor(68, 1, 84));
    QVERIFY(cellColor(map, 1, 1) != slot1dim1After2);
    QVERIFY(cellColor(map, 0, 0) != QColor(68, 1, 84));
    QVERIFY2(view.segmentText().contains("tokens 0..3"), qPrintable(view.segmentText()));
    QCOMPARE(map->weightAt(0, 0), 1.0f);
  }

  void provenanceFollowsTheHoveredSlot() {
    const auto snaps = snapshots();
    MemorySlotView view;
    view.resize(520, 700);
    view.setMemory(snaps, traceOf(snaps));
    QSignalSpy selected(&view, &MemorySlotView::slotSelected);
    view.slotMap()->tokenHovered(1, 0);  // the map reports slot 1 under the cursor
    QCOMPARE(view.selectedSlot(), 1);
    QCOMPARE(selected.count(), 1);
    const QImage shot = renderWidgetImage(&view);
    ProvenanceStrip* strip = view.provenance();
    const QRect axis = strip->axisRect();
    auto at = [&](int64_t token) {
      return QColor(shot.pixel(strip->mapTo(&view, QPoint(static_cast<int>(strip->tokenX(token)), axis.bottom() - 3))));
    };
    // Slot 1 holds tokens 4..7 (segment 1), not 0..3.
    QCOMPARE(at(6), ProvenanceStrip::barColor());  // (its mean, 5.5, is a dashed line at token 5)
    QVERIFY(at(1) != ProvenanceStrip::barColor());
  }

  void normsAndMassAreCharted() {
    const auto snaps = snapshots();
    MemorySlotView view;
    view.setMemory(snaps, traceOf(snaps));
    QStringList names;
    for (QAbstractSeries* s : view.chart()->series()) names << s->name();
    QVERIFY2(names.contains("slot 0") && names.contains("slot 1") && names.contains("attention mass on memory"), qPrintable(names.join(", ")));
  }

  void transformerXlShowsMassPerSegment() {
    MemoryTrace trace;
    trace.massPerSegment = {0.0, 0.4, 0.45, 0.5};
    MemorySlotView view;
    view.setMemory({}, trace, "transformer_xl");
    QVERIFY(!view.showsSlots());
    QVERIFY(view.slotMap()->isHidden());
    QLineSeries* mass = nullptr;
    for (QAbstractSeries* s : view.chart()->series())
      if (s->objectName() == "mass") mass = qobject_cast<QLineSeries*>(s);
    QVERIFY(mass);
    QCOMPARE(mass->count(), 4);
    QCOMPARE(mass->at(2).y(), 0.45);
  }

  void exportsPngAndSvg() {
    const auto snaps = snapshots();
    MemorySlotView view;
    view.setMemory(snaps, traceOf(snaps), "memory_slots");
    view.selectSlot(0);
    QTemporaryDir dir;
    const QString dump = qEnvironmentVariable("ATTNSCOPE_TEST_DUMP");
    QString error;
    QVERIFY2(saveWidgetPng(&view, dir.filePath("m.png"), &error, QSize(480, 640)), qPrintable(error));
    QVERIFY2(saveWidgetSvg(&view, dir.filePath("m.svg"), &error, QSize(480, 640)), qPrintable(error));
    if (!dump.isEmpty()) QFile::copy(dir.filePath("m.png"), dump + "/memory.png");
    QCOMPARE(QImage(dir.filePath("m.png")).size(), QSize(480, 640));
    QFile file(dir.filePath("m.svg"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) xml.readNext();
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  }
};

QTEST_MAIN(TestMemorySlotView)
#include "test_memory_slot_view.moc"
