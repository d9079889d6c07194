// The Explorer page under a real OpenGL context, on a real JobRunner: it
// opens on the first compared variant with parameters, draws its mask where
// the definition puts it, follows a slider dragged with the mouse (the mask
// at once, the session on release, so the Qt forms and the compare batch
// follow), places global tokens by hand on the strip above the mask, refuses
// a bad value with its reason, explores any variant, and draws the glyphs of
// Chinese token labels.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "attention/registry.hpp"
#include "explorer_page.hpp"
#include "session_fixture.hpp"
#include "session_model.hpp"

using namespace attnscope;
using attnscope::testing::smallSession;

namespace {

void send(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
  QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(w, &e);
}

// Brightness of the mask at a fraction (x, y) of its square: 0 black .. 765 white.
int maskLevel(ExplorerPage& page, double x, double y) {
  const QImage image = page.view()->renderImage();
  const QRectF r = page.view()->maskRect();
  const QRgb c = image.pixel(static_cast<int>(r.left() + x * r.width()), static_cast<int>(r.top() + y * r.height()));
  return qRed(c) + qGreen(c) + qBlue(c);
}

}  // namespace

class TestGlExplorer : public QObject {
  Q_OBJECT

  JobRunner* runner = nullptr;
  SessionModel* session = nullptr;
  ExplorerPage* page = nullptr;

  // Loads the session's input through a compare batch, as the window does.
  void start(SessionState state) {
    runner = new JobRunner;
    session = new SessionModel;
    session->setState(std::move(state));
    page = new ExplorerPage(PageContext{runner, session});
    page->resize(1300, 760);
    page->show();
    QVERIFY(QTest::qWaitForWindowExposed(page));
    CompareRequest request;
    request.specs = session->compareSpecs();
    request.fullMap = false;
    runner->startCompare(request);
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 60000);
    QVERIFY2(page->view()->failure().isEmpty(), qPrintable(page->view()->failure()));
  }

  void frames() {
    page->view()->renderImage();
    QCoreApplication::processEvents();
  }

 private slots:
  void cleanup() {
    if (runner) runner->waitAll();
    delete page;
    delete session;
    delete runner;
    page = nullptr;
    session = nullptr;
    runner = nullptr;
  }

  void opensOnTheFirstVariantWithParameters() {
    start(smallSession({"dense", "sliding_window"}));
    QCOMPARE(page->variant(), std::string("sliding_window"));
    QVERIFY(page->result()->mask.has_value());
    QVERIFY(!page->view()->figures().preview.values.empty());
    // window = 64 on 512 tokens: the diagonal computed, the far corner not.
    QVERIFY(maskLevel(*page, 0.5, 0.5) > 500);
    QVERIFY(maskLevel(*page, 0.55, 0.5) > 500);  // 28 tokens off the diagonal
    QVERIFY(maskLevel(*page, 0.95, 0.05) < 100);
  }

  // Hovering the mask draws the pair's crosshair in the preview too.
  void hoverCrosshairInBothGrids() {
    start(smallSession({"sliding_window"}));
    QImage before = page->view()->renderImage();
    const QRectF mask = page->view()->maskRect(), preview = page->view()->previewRect();
    QVERIFY(!mask.isEmpty() && !preview.isEmpty());
    send(page->view(), QEvent::MouseMove, QPointF(mask.left() + 0.1 * mask.width(), mask.top() + 0.1 * mask.height()), Qt::NoButton, Qt::NoButton);
    frames();
    const QImage after = page->view()->renderImage();
    const auto [i, j] = page->view()->hoveredPair();
    QVERIFY2(std::abs(i - 51) <= 1 && std::abs(j - 51) <= 1, qPrintable(QString("(%1, %2)").arg(i).arg(j)));
    // The preview covers tokens 0-255: its vertical line sits at j, far below the band (dark before).
    const int x = static_cast<int>(preview.left() + (j + 0.5) / 256.0 * preview.width());
    const int y = static_cast<int>(preview.top() + 0.9 * preview.height());
    // The brightest of the pixels at and beside x (the line may fall either side of the rounding).
    auto level = [&](const QImage& image) {
      int best = 0;
      for (int dx = -1; dx <= 1; ++dx) {
        const QRgb c = image.pixel(x + dx, y);
        best = std::max(best, qRed(c) + qGreen(c) + qBlue(c));
      }
      return best;
    };
    QVERIFY2(level(before) < 300, qPrintable(QString::number(level(before))));
    QVERIFY2(level(after) > 500, qPrintable(QString::number(level(after))));
    // Leaving the grids takes the crosshair away.
    send(page->view(), QEvent::MouseMove, QPointF(5, 5), Qt::NoButton, Qt::NoButton);
    frames();
    page->view()->renderImage();
    QCOMPARE(page->view()->hoveredPair(), (std::pair<int64_t, int64_t>{-1, -1}));
  }

  // The wheel over the mask zooms into a region recomputed at full
  // resolution, about the token under the mouse; a double-click shows all.
  void wheelZoomsTheMask() {
    start(smallSession({"sliding_window"}, 2048));
    QCOMPARE(page->result()->mask->rows, int64_t(512));  // 2048 tokens pooled 4 to a cell
    const QRectF mask = page->view()->maskRect();
    const QPointF at(mask.left() + 0.25 * mask.width(), mask.top() + 0.25 * mask.height());
    send(page->view(), QEvent::MouseMove, at, Qt::NoButton, Qt::NoButton);
    frames();
    for (int k = 0; k < 4; ++k) {
      QWheelEvent wheel(at, page->view()->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(page->view(), &wheel);
      frames();
    }
    // Four steps of 0.7 (each wheel step zooms on from the last region asked for, whether or not its figures are in).
    QTRY_VERIFY_WITH_TIMEOUT(page->result()->mask && page->result()->mask->i1 - page->result()->mask->i0 <= 2048 * 0.7 * 0.7 * 0.7 * 0.7 + 2, 30000);
    const LayoutRaster& zoomed = *page->result()->mask;
    QVERIFY(zoomed.i0 <= 512 && zoomed.i1 > 512);  // about the token under the mouse
    QVERIFY(zoomed.j0 <= 512 && zoomed.j1 > 512);
    QVERIFY(zoomed.rows == zoomed.i1 - zoomed.i0);  // small enough to be exact
    // The preview follows: the region's top-left corner, at most 256 tokens a side, one cell per pair.
    const MapGrid& preview = *page->result()->preview;
    QCOMPARE(preview.i0, zoomed.i0);
    QCOMPARE(preview.j0, zoomed.j0);
    QCOMPARE(preview.i1, std::min(zoomed.i1, zoomed.i0 + 256));
    QCOMPARE(preview.j1, std::min(zoomed.j1, zoomed.j0 + 256));
    QCOMPARE(preview.rows, preview.i1 - preview.i0);
    // Double-click, as Qt delivers one (press, release, double-click, release): the whole input again,
    // also when frames come slowly (the pause is longer than ImGui's own double-click time).
    for (QEvent::Type press : {QEvent::MouseButtonPress, QEvent::MouseButtonDblClick}) {
      if (press == QEvent::MouseButtonDblClick) QTest::qWait(400);
      send(page->view(), press, at, Qt::LeftButton, Qt::LeftButton);
      frames();
      send(page->view(), QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
      frames();
    }
    QTRY_VERIFY_WITH_TIMEOUT(page->result()->mask->i1 - page->result()->mask->i0 == 2048, 30000);
  }

  // A zoomed region is part of the page's state: a session (or a lesson step)
  // brings it back; a region that does not fit the input shows all of it.
  void zoomRegionIsKeptInTheState() {
    start(smallSession({"sliding_window"}, 1024));
    page->setMaskRegion(100, 300, 120, 320);
    QTRY_VERIFY_WITH_TIMEOUT(page->result()->mask && page->result()->mask->i0 == 100, 30000);
    nlohmann::json state = nlohmann::json::object();
    page->saveState(state);
    QCOMPARE(state["region"], (nlohmann::json{100, 300, 120, 320}));
    page->setMaskRegion(-1, -1, -1, -1);
    QTRY_VERIFY_WITH_TIMEOUT(page->result()->mask->i1 - page->result()->mask->i0 == 1024, 30000);
    page->restoreState(state);
    QTRY_VERIFY_WITH_TIMEOUT(page->result()->mask->i0 == 100 && page->result()->mask->j1 == 320, 30000);
    nlohmann::json whole = nlohmann::json::object();
    page->saveState(whole);
    QCOMPARE(whole["region"], state["region"]);
    // Not a region: the whole input.
    state["region"] = {300, 100, 0, 5};
    page->restoreState(state);
    QTRY_VERIFY_WITH_TIMEOUT(page->result()->mask->i1 - page->result()->mask->i0 == 1024, 30000);
    nlohmann::json none = nlohmann::json::object();
    page->saveState(none);
    QVERIFY(!none.contains("region"));
  }

  void draggingASliderRedrawsAndWritesOnRelease() {
    start(smallSession({"sliding_window", "dense"}));
    QSignalSpy edited(session, &SessionModel::edited);
    frames();
    const QRectF slider = page->view()->controlRect("window");
    QVERIFY(!slider.isEmpty());
    // Drag the grab to the slider's far left: window 0, only the diagonal.
    const QPointF from(slider.left() + slider.width() * 0.75, slider.center().y());
    send(page->view(), QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton);
    frames();
    send(page->view(), QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    frames();
    for (int k = 1; k <= 6; ++k) {
      send(page->view(), QEvent::MouseMove, QPointF(from.x() - k * slider.width() * 0.2, from.y()), Qt::NoButton, Qt::LeftButton);
      frames();
    }
    // While the button is held the spec follows, the session waits.
    QTRY_VERIFY(page->spec().params.getInt("window") == 0);
    QCOMPARE(session->state().variantSpecs[0].params.getInt("window"), int64_t(64));
    QCOMPARE(edited.size(), 0);
    send(page->view(), QEvent::MouseButtonRelease, QPointF(slider.left() - 50, from.y()), Qt::LeftButton, Qt::NoButton);
    frames();
    QTRY_COMPARE(edited.size(), 1);
    QCOMPARE(session->state().variantSpecs[0].params.getInt("window"), int64_t(0));
    QCOMPARE(session->state().base.attention.params.getInt("window"), int64_t(0));
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QCOMPARE(page->result()->pairs.computed, 512.0);
    QVERIFY(maskLevel(*page, 0.55, 0.5) < 100);  // off the diagonal: no longer computed

    // A step of a drag made in code: the mask widens, the session stays.
    QVERIFY(page->editParam("window", "200", false));
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(maskLevel(*page, 0.8, 0.5) > 500);
    QCOMPARE(session->state().variantSpecs[0].params.getInt("window"), int64_t(0));
  }

  // Longformer's global_indices placed by hand on the strip above the mask:
  // a click adds a token (its row and column light up), a marker dragged
  // moves it (the mask follows, the session takes it on release), a
  // right-click removes it.
  void globalTokensArePlacedOnTheStrip() {
    start(smallSession({"longformer"}));
    QSignalSpy edited(session, &SessionModel::edited);
    frames();
    const QRectF strip = page->view()->tokenStripRect();
    QVERIFY(!strip.isEmpty());
    QVERIFY(std::abs(strip.left() - page->view()->maskRect().left()) < 1 && std::abs(strip.width() - page->view()->maskRect().width()) < 1);
    auto globals = [this] { return session->state().variantSpecs[0].params.getIndexList("global_indices"); };
    auto press = [&](QPointF at, Qt::MouseButton button) {
      send(page->view(), QEvent::MouseMove, at, Qt::NoButton, Qt::NoButton);
      frames();
      send(page->view(), QEvent::MouseButtonPress, at, button, button);
      frames();
    };
    auto release = [&](QPointF at, Qt::MouseButton button) {
      send(page->view(), QEvent::MouseButtonRelease, at, button, Qt::NoButton);
      frames();
      // Away from the strip: its hover draws the key's column on the mask.
      send(page->view(), QEvent::MouseMove, QPointF(5, 5), Qt::NoButton, Qt::NoButton);
      frames();
      frames();
    };
    auto near = [](int64_t a, int64_t b) { return std::abs(a - b) <= 1; };

    // Click at the middle: token 256 becomes global.
    const QPointF middle(strip.left() + 0.5 * strip.width(), strip.center().y());
    press(middle, Qt::LeftButton);
    release(middle, Qt::LeftButton);
    QTRY_COMPARE(edited.size(), 1);
    QCOMPARE(globals().size(), size_t(1));
    QVERIFY2(near(globals()[0], 256), qPrintable(QString::number(globals()[0])));
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(maskLevel(*page, 0.5, 0.9) > 250);  // its column, far from the band
    QVERIFY(maskLevel(*page, 0.9, 0.5) > 250);  // its row
    QVERIFY(maskLevel(*page, 0.75, 0.1) < 100);

    // Drag its marker to three quarters: the spec follows while held, the session on release.
    press(middle, Qt::LeftButton);
    const QPointF to(strip.left() + 0.75 * strip.width(), strip.center().y());
    for (int k = 1; k <= 4; ++k) {
      send(page->view(), QEvent::MouseMove, middle + (to - middle) * (k / 4.0), Qt::NoButton, Qt::LeftButton);
      frames();
    }
    QTRY_VERIFY(near(page->spec().params.getIndexList("global_indices").at(0), 384));
    QCOMPARE(edited.size(), 1);
    QVERIFY(near(globals()[0], 256));
    release(to, Qt::LeftButton);
    QTRY_COMPARE(edited.size(), 2);
    QCOMPARE(globals().size(), size_t(1));
    QVERIFY2(near(globals()[0], 384), qPrintable(QString::number(globals()[0])));
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(maskLevel(*page, 0.75, 0.1) > 250);
    QVERIFY(maskLevel(*page, 0.5, 0.9) < 100);

    // Right-click on the marker removes it.
    press(to, Qt::RightButton);
    release(to, Qt::RightButton);
    QTRY_COMPARE(edited.size(), 3);
    QVERIFY(globals().empty());
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(maskLevel(*page, 0.75, 0.1) < 100);
  }

  void badValuesAreRefusedWithTheirReason() {
    start(smallSession({"longformer"}));
    QVERIFY(!page->editParam("window", "-5", true));
    QVERIFY(QString::fromStdString(page->view()->figures().error).contains("window"));
    QCOMPARE(session->state().variantSpecs[0].params.getInt("window"), int64_t(64));
    // Past n: the variant's own validation, shown in place of the figures.
    QVERIFY(page->editParam("global_indices", "9999", true));
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(QString::fromStdString(page->view()->figures().error).contains("global_indices"));
  }

  void anyVariantCanBeExplored() {
    start(smallSession({"dense"}));
    page->showVariant("longformer");
    QCOMPARE(session->state().variants.back(), std::string("longformer"));  // now compared too
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    // Global token 0: its row and column are computed across the map (one
    // token of 512 on fewer pixels: blended with its neighbour, half bright).
    QVERIFY(maskLevel(*page, 0.9, 0.001) > 250);
    QVERIFY(maskLevel(*page, 0.001, 0.9) > 250);
    QVERIFY(maskLevel(*page, 0.9, 0.3) < 100);
    page->showVariant("linformer");
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(page->view()->figures().mask.values.empty());
    QVERIFY(!page->view()->figures().noMask.empty());
    QVERIFY(!page->view()->figures().preview.values.empty());
  }

  void causalCheckboxEditsTheSession() {
    start(smallSession({"sliding_window"}));
    frames();
    const QRectF box = page->view()->controlRect("causal");
    QVERIFY(!box.isEmpty());
    const QPointF at(box.left() + 8, box.center().y());
    send(page->view(), QEvent::MouseMove, at, Qt::NoButton, Qt::NoButton);
    frames();
    send(page->view(), QEvent::MouseButtonPress, at, Qt::LeftButton, Qt::LeftButton);
    send(page->view(), QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
    frames();
    frames();
    QTRY_VERIFY(session->state().base.attention.causal);
    QTRY_VERIFY_WITH_TIMEOUT(page->hasResults(), 30000);
    QVERIFY(maskLevel(*page, 0.45, 0.5) > 500);  // just before the diagonal: kept
    QVERIFY(maskLevel(*page, 0.55, 0.5) < 100);  // just after: cut
  }

  void chineseLabelsGetTheirGlyphs() {
    QTemporaryDir dir;
    const QString path = dir.filePath("合同.txt");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QString("第一条 本合同自双方签字之日起生效。第二条 甲方应按第一条约定付款。饕餮龘龘。").repeated(8).toUtf8());
    file.close();
    SessionState state = smallSession({"sliding_window"}, 0);
    state.base.sample.clear();
    state.base.inputFile = path.toStdString();
    start(state);
    frames();
    QVERIFY(page->view()->hasGlyph(U'合'));
    QVERIFY(page->view()->hasGlyph(U'龘'));  // rare: in the font because a label holds it
  }
};

QTEST_MAIN(TestGlExplorer)
#include "test_gl_explorer.moc"
