// The window end to end on the document sample: three checked variants give
// three columns with different maps and filled metrics; the cursor is shared
// by every column; a changed parameter reruns and changes only its column; a
// bad file leaves everything as it was and says why; a Q/K/V file sets the
// sequence panel's heads and d.
#include <QtTest>

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

#include "app_options.hpp"
#include "backend/cpu/cpu_isa.hpp"
#include "compare_column.hpp"
#include "compare_page.hpp"
#include "heatmap_view.hpp"
#include "main_window.hpp"
#include "param_form.hpp"
#include "sequence/npy.hpp"
#include "sequence_panel.hpp"
#include "variant_panel.hpp"

#include "memory_slot_view.hpp"
#include "metrics_card.hpp"
#include "spectrum_view.hpp"

using namespace attnscope;

class TestAppCompare : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  static AppOptions options() {
    QString error;
    auto o = parseAppOptions({"--sample", "document", "--n", "96", "--heads", "2", "--d", "16", "--compare", "sliding_window,linformer"}, &error);
    return *o;
  }

  static ComparePage* comparePage(MainWindow& w) { return qobject_cast<ComparePage*>(w.page("compare")); }

  // Runs the batch and waits until the page shows it.
  static bool runAndWait(MainWindow& w) {
    QSignalSpy shown(comparePage(w), &Page::resultsShown);
    w.runCompare();
    return shown.wait(60000);
  }

  static std::vector<float> mapValues(ComparePage* page, int k) { return page->column(k)->map()->data().values; }

  QString writeFile(const QString& name, const QByteArray& bytes) {
    QFile f(dir_.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(bytes);
    return f.fileName();
  }

  static void drop(QWidget* target, const QString& path) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent dropEvent(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropEvent);
  }

 private slots:
  void threeVariantsGiveThreeDifferentColumns() {
    MainWindow w(options());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    QCOMPARE(page->columnCount(), 3);
    QCOMPARE(page->column(0)->variant(), std::string("dense"));
    for (int k = 0; k < 3; ++k) {
      CompareColumn* c = page->column(k);
      QVERIFY2(!c->failed(), qPrintable(c->errorLabel()->text()));
      QVERIFY(c->map()->hasData());
      QCOMPARE(c->map()->data().rows, int64_t{96});
      QVERIFY(c->item()->analysis->metrics);
      // The card is filled: time, and the numbers against dense.
      QVERIFY(!c->card()->isHidden());
      QVERIFY(!c->card()->hasError());
      QVERIFY(!c->card()->valueText("time").isEmpty());
      QVERIFY(!c->card()->valueText("output_error").isEmpty());
      QVERIFY(!c->card()->valueText("recall").isEmpty());
      QVERIFY(!c->spectrum()->isHidden() && c->spectrum()->hasSpectrum());
    }
    QVERIFY(mapValues(page, 0) != mapValues(page, 1));
    QVERIFY(mapValues(page, 1) != mapValues(page, 2));
    QVERIFY(mapValues(page, 0) != mapValues(page, 2));
    // Dense against itself has no error; the others have some.
    QVERIFY(page->column(0)->item()->analysis->metrics->outputRelativeError < 1e-4);
    QVERIFY(page->column(1)->item()->analysis->metrics->outputRelativeError > 1e-4);
  }

  void aFailingVariantShowsItsReasonInItsColumn() {
    QString error;
    auto o = parseAppOptions({"--n", "64", "--heads", "1", "--d", "16", "--causal", "--compare", "linformer,sliding_window"}, &error);
    MainWindow w(*o);
    w.show();
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    QCOMPARE(page->columnCount(), 3);
    CompareColumn* linformer = page->column(1);
    QCOMPARE(linformer->variant(), std::string("linformer"));
    QVERIFY(linformer->failed());
    QVERIFY(!linformer->errorLabel()->isHidden());
    QVERIFY2(linformer->errorLabel()->text().contains("causal"), qPrintable(linformer->errorLabel()->text()));
    QVERIFY(linformer->card()->hasError());
    QVERIFY(!page->column(0)->failed() && page->column(0)->map()->hasData());
    QVERIFY(!page->column(2)->failed() && page->column(2)->map()->hasData());
    QVERIFY(w.session()->state().base.attention.causal);  // --causal kept
  }

  // The precision box reruns every column in bf16: mask-based variants run
  // (where the CPU has bf16 kernels), the others say why in their column.
  void bf16RerunsTheColumnsOrSaysWhy() {
    MainWindow w(options());
    w.show();
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    auto* box = w.variantPanel()->findChild<QComboBox*>("precision");
    QVERIFY(box);
    QSignalSpy shown(page, &Page::resultsShown);
    box->setCurrentIndex(box->findText("bf16"));  // the session reruns by itself
    QVERIFY(shown.wait(60000));
    QCOMPARE(w.session()->state().base.attention.precision, Precision::Bf16);
    QCOMPARE(page->columnCount(), 3);
    CompareColumn* linformer = page->column(2);
    QCOMPARE(linformer->variant(), std::string("linformer"));
    QVERIFY(linformer->failed());
    if (cpuBf16Usable()) {
      QVERIFY2(linformer->errorLabel()->text().contains("mask-based"), qPrintable(linformer->errorLabel()->text()));
      for (int k : {0, 1}) QVERIFY2(!page->column(k)->failed() && page->column(k)->map()->hasData(), qPrintable(QString("column %1").arg(k)));
    } else {
      QVERIFY(page->column(0)->failed());
      QVERIFY2(page->column(0)->errorLabel()->text().contains("bf16"), qPrintable(page->column(0)->errorLabel()->text()));
    }
  }

  void hoverDrawsTheCrosshairInEveryColumn() {
    MainWindow w(options());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(runAndWait(w));
    QCoreApplication::processEvents();  // layouts the results asked for
    ComparePage* page = comparePage(w);
    HeatmapView* first = page->column(1)->map();
    const QPoint at = first->tokenCenter(40, 12).toPoint();
    QMouseEvent move(QEvent::MouseMove, QPointF(at), first->mapToGlobal(QPointF(at)), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(first, &move);
    for (int k = 0; k < 3; ++k) {
      HeatmapView* map = page->column(k)->map();
      QVERIFY2(map->hasCrosshair(), qPrintable(QString("column %1").arg(k)));
      // The crosshair's vertical line is drawn white through the plot. Grab
      // first: a late result may still re-lay the column out, and the point
      // and the plot must be read from the layout the image was drawn with.
      const QImage image = map->grab().toImage();
      const QPoint cross = map->crosshairPoint();
      QVERIFY(cross.x() >= 0);
      const qreal dpr = image.devicePixelRatio();
      const int y = map->plotRect().top() + 3;
      const QColor c = image.pixelColor(static_cast<int>(cross.x() * dpr), static_cast<int>(y * dpr));
      QVERIFY2(c.lightness() > 200, qPrintable(QString("column %1: %2").arg(k).arg(c.name())));
    }
    const QString text = page->cursorLabel()->text();
    QVERIFY2(text.contains("i = 40") && text.contains("j = 12"), qPrintable(text));
    for (const char* v : {"dense", "sliding_window", "linformer"}) QVERIFY2(text.contains(v), qPrintable(text));
    QCOMPARE(w.statusLabel()->text(), text);
    QMouseEvent leave(QEvent::Leave, QPointF(), QPointF(), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(first, &leave);
  }

  void aChangedParameterChangesItsColumn() {
    MainWindow w(options());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    const auto dense = mapValues(page, 0), window = mapValues(page, 1);
    auto* box = qobject_cast<QSpinBox*>(w.variantPanel()->form("sliding_window")->editor("window"));
    QVERIFY(box);
    QSignalSpy shown(page, &Page::resultsShown);
    box->setValue(4);  // the session reruns by itself
    QVERIFY(shown.wait(60000));
    QCOMPARE(w.session()->state().variantSpecs.at(1).params.getInt("window"), int64_t{4});
    QVERIFY(mapValues(page, 1) != window);
    QVERIFY(mapValues(page, 0) == dense);
  }

  void aChangeDuringARunRestartsIt() {
    // Long enough (a randomized spectrum of 32K tokens per column) to still run when the change comes.
    QString error;
    auto o = parseAppOptions({"--n", "32768", "--heads", "4", "--d", "32", "--compare", "sliding_window"}, &error);
    MainWindow w(*o);
    w.show();
    QSignalSpy finished(w.runner(), &JobRunner::jobFinished);
    QSignalSpy shown(comparePage(w), &Page::resultsShown);
    w.runCompare();
    const JobId first = w.runner()->current(JobKind::Compare);
    QTest::qWait(200);
    QVERIFY(w.runner()->busy(JobKind::Compare));
    // The window answers while the batch runs.
    QElapsedTimer timer;
    timer.start();
    QTest::qWait(1);
    QVERIFY(timer.elapsed() < 100);
    w.sequencePanel()->lengthBox()->setValue(80);
    // The first compare job to end is the replaced one, ended cancelled (other kinds of job may end too).
    int ended = 0;
    while (ended < finished.size() && finished.at(ended).at(0).value<JobKind>() != JobKind::Compare) ++ended;
    QVERIFY(ended < finished.size());
    QCOMPARE(finished.at(ended).at(1).value<JobId>(), first);
    QCOMPARE(finished.at(ended).at(2).toBool(), true);
    QVERIFY(w.runner()->current(JobKind::Compare) != first);
    QVERIFY(shown.wait(60000));
    QCOMPARE(comparePage(w)->column(0)->map()->data().rows, int64_t{80});
  }

  void aBadDroppedFileKeepsThePreviousState() {
    MainWindow w(options());
    w.show();
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    const auto before = mapValues(page, 1);
    const SessionState state = w.session()->state();
    QSignalSpy errors(&w, &MainWindow::errorShown);
    drop(&w, writeFile("broken.npy", QByteArray("\x93NUMPY\x01\x00\xff\x7f{'descr'", 18)));
    QVERIFY(errors.wait(30000));
    QVERIFY2(w.errorText().contains("broken.npy"), qPrintable(w.errorText()));
    QCOMPARE(page->columnCount(), 3);
    QVERIFY(mapValues(page, 1) == before);
    QCOMPARE(w.session()->state().base.sample, state.base.sample);
    QVERIFY(w.session()->state().base.inputFile.empty());
    QCOMPARE(w.sequencePanel()->inputBox()->currentData().toString(), QString("sample:document"));
    QVERIFY(page->hasResults());
  }

  void aQkvFileSetsHeadsAndWidth() {
    MainWindow w(options());
    w.show();
    QVERIFY(runAndWait(w));
    const int heads = 12, n = 48, d = 32;
    std::vector<float> data(static_cast<size_t>(3 * heads * n * d));
    for (size_t k = 0; k < data.size(); ++k) data[k] = static_cast<float>((k * 2654435761u % 1000) / 1000.0 - 0.5);
    const QString path = dir_.filePath("model_qkv.npy");
    writeNpy(path.toStdString(), data.data(), {3, heads, n, d});
    QSignalSpy shown(comparePage(w), &Page::resultsShown);
    w.openFile(path);
    QVERIFY(shown.wait(60000));
    SequencePanel* seq = w.sequencePanel();
    QCOMPARE(seq->headsBox()->value(), heads);
    QCOMPARE(seq->widthBox()->value(), d);
    QVERIFY(!seq->headsBox()->isEnabled());
    QVERIFY(!seq->widthBox()->isEnabled());
    QVERIFY(!seq->positionsBox()->isEnabled());
    QCOMPARE(seq->mapHeadBox()->maximum(), heads - 1);
    QVERIFY2(seq->inputInfo()->text().contains("12"), qPrintable(seq->inputInfo()->text()));
    QCOMPARE(comparePage(w)->column(0)->map()->data().rows, int64_t{n});
    QVERIFY(w.errorText().isEmpty());
  }

  void aSmallZoomedRegionIsRecomputedInEveryColumn() {
    // 6000 tokens are pooled to 1024 cells a side; 64 tokens are exact.
    QString error;
    auto o = parseAppOptions({"--n", "6000", "--heads", "1", "--d", "16", "--compare", "sliding_window,memory_slots"}, &error);
    MainWindow w(*o);
    w.show();
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    QVERIFY(!page->column(0)->map()->data().exact());
    QSignalSpy regions(w.runner(), &JobRunner::regionItem);
    page->column(1)->map()->setViewRegion(TokenRegion{1000, 1064, 990, 1054});
    QTRY_VERIFY_WITH_TIMEOUT(regions.count() == 3, 30000);
    QTest::qWait(50);
    for (int k = 0; k < 3; ++k) {
      const HeatmapData& d = page->column(k)->map()->data();
      QVERIFY2(d.exact(), qPrintable(QString("column %1: %2 x %3").arg(k).arg(d.rows).arg(d.cols)));
      QCOMPARE(d.i0, int64_t{1000});
      QCOMPARE(d.rows, int64_t{64});
      QCOMPARE(page->column(k)->map()->viewRegion(), (TokenRegion{1000, 1064, 990, 1054}));
    }
    // Zoomed back out, every column shows its batch's whole map again.
    page->column(0)->map()->resetZoom();
    for (int k = 0; k < 3; ++k) QTRY_COMPARE_WITH_TIMEOUT(page->column(k)->map()->data().i1, int64_t{6000}, 10000);
    QVERIFY(!page->column(2)->map()->data().exact());
    // memory_slots keeps slots: its column shows them.
    QVERIFY(!page->column(2)->memory()->isHidden());
    QVERIFY(page->column(2)->memory()->segmentCount() > 0);
    QVERIFY(page->column(0)->memory()->isHidden());
  }

  void theMaskOverlayToggles() {
    MainWindow w(options());
    w.show();
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    QVERIFY(page->column(1)->map()->hasMask());  // sliding_window scores a band
    page->setMaskVisible(true);
    for (int k = 0; k < 3; ++k) QVERIFY(page->column(k)->map()->maskVisible());
    page->setMaskVisible(false);
    QVERIFY(!page->column(1)->map()->maskVisible());
  }

  void gridReflowsWithTheWidth() {
    MainWindow w(options());
    w.show();
    QVERIFY(runAndWait(w));
    ComparePage* page = comparePage(w);
    w.resize(1800, 900);
    QTest::qWait(100);
    QCOMPARE(page->columnsPerRow(), 3);
    w.resize(900, 900);
    QTest::qWait(100);
    QVERIFY(page->columnsPerRow() < 3);
    const QPoint a = page->column(0)->mapTo(page, QPoint(0, 0)), c = page->column(2)->mapTo(page, QPoint(0, 0));
    QVERIFY(c.y() > a.y());
  }
};

QTEST_MAIN(TestAppCompare)
#include "test_app_compare.moc"
