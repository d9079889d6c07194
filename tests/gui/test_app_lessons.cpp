// Lessons in the window: the shipped lessons are listed, a lesson steps
// through its presets (accumulating), pages and page settings, the bar shows
// each step's text (in Chinese when asked), presentation mode takes the
// screen and large type, a broken lesson file is refused with its reason, a
// lesson is recorded in the window, played back and saved, and the window
// saves every step of a lesson as a picture.
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QDockWidget>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_options.hpp"
#include "attention/registry.hpp"
#include "explorer_page.hpp"
#include "language.hpp"
#include "lesson_bar.hpp"
#include "lesson_player.hpp"
#include "lessons_page.hpp"
#include "main_window.hpp"

using namespace attnscope;

class TestAppLessons : public QObject {
  Q_OBJECT

  static AppOptions options() {
    QString error;
    return *parseAppOptions(QStringList{"--n", "256", "--heads", "2", "--d", "16"}, &error);
  }

 private slots:
  void shippedLessonsAreListed() {
    MainWindow w(options());
    auto* page = qobject_cast<LessonsPage*>(w.page("lessons"));
    QVERIFY(page);
    QVERIFY(page->lessons().size() >= 3);
    QCOMPARE(page->lessonList()->count(), static_cast<int>(page->lessons().size()));
    page->lessonList()->setCurrentRow(0);
    QCOMPARE(page->stepList()->count(), static_cast<int>(page->lessons()[0].steps.size()));
  }

  void stepsApplyPresetsPagesAndText() {
    MainWindow w(options());
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));  // shortcuts act in the active window
    QVERIFY(!w.lessonBar()->isVisible());
    QVERIFY(w.startLesson("sparse-windows"));
    QVERIFY(w.lessonBar()->isVisible());
    QCOMPARE(w.lessonBar()->titleText(), QString("Dense attention scores every pair"));
    QCOMPARE(w.currentPage()->id(), QString("compare"));
    const SessionState& s = w.session()->state();
    QCOMPARE(s.base.n, int64_t(1024));
    QCOMPARE(s.base.features.heads, 1);
    QCOMPARE(s.variants, std::vector<std::string>{"dense"});
    QVERIFY(!w.lessonBar()->previousButton()->isEnabled());

    w.lessonBar()->nextButton()->click();
    QCOMPARE(w.lessonPlayer()->step(), 1);
    QCOMPARE(w.currentPage()->id(), QString("explorer"));
    auto* explorer = qobject_cast<ExplorerPage*>(w.currentPage());
    QCOMPARE(explorer->variant(), std::string("sliding_window"));
    QCOMPARE(w.session()->state().variants, (std::vector<std::string>{"sliding_window", "dense"}));
    QCOMPARE(w.session()->state().variantSpecs[0].params.getInt("window"), int64_t(32));
    QCOMPARE(w.session()->state().base.n, int64_t(1024));  // kept from step 1
    QTRY_VERIFY_WITH_TIMEOUT(explorer->hasResults(), 60000);

    // Alt+Left goes back; the variant panel follows the session.
    QTest::keyClick(&w, Qt::Key_Left, Qt::AltModifier);
    QCOMPARE(w.lessonPlayer()->step(), 0);
    QCOMPARE(w.currentPage()->id(), QString("compare"));

    // Starting at a later step shows what stepping there would: step 1's input with step 5's variants.
    w.lessonPlayer()->stop();
    QVERIFY(!w.lessonBar()->isVisible());
    SessionState changed = w.session()->state();
    changed.base.n = 300;
    w.session()->setState(changed);
    QVERIFY(w.startLesson("sparse-windows", 4));
    QCOMPARE(w.session()->state().base.n, int64_t(1024));
    QCOMPARE(w.session()->state().variants.front(), std::string("bigbird"));
    QVERIFY(w.lessonBar()->nextButton()->isEnabled());  // step 5 of 6: one more
    w.lessonPlayer()->next();
    QVERIFY(!w.lessonBar()->nextButton()->isEnabled());
    w.runner()->cancelAll();
    w.runner()->waitAll();
  }

  void chineseText() {
    // The Chinese interface shows lesson texts in Chinese too.
    QVERIFY(installLanguage("zh_CN"));
    MainWindow w(options());
    QCOMPARE(w.lessonPlayer()->language(), QString("zh_CN"));
    auto* page = qobject_cast<LessonsPage*>(w.page("lessons"));
    QCOMPARE(page->title(), QString("课程"));
    QVERIFY(page->lessonList()->item(0)->text().contains(QRegularExpression("[\\x{4e00}-\\x{9fff}]")));
    QVERIFY(w.startLesson("low-rank"));
    QCOMPARE(w.lessonBar()->titleText(), QString("稠密注意力的奇异值谱"));
    QVERIFY(w.lessonBar()->bodyText().contains("奇异值谱"));
    QCOMPARE(w.lessonBar()->nextButton()->text(), QString("下一步 ▶"));
    w.runner()->cancelAll();
    w.runner()->waitAll();
    QVERIFY(installLanguage("en"));
  }

  void presentationModeTakesTheScreen() {
    MainWindow w(options());
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    const qreal normal = QApplication::font().pointSizeF();
    QVERIFY(w.showPage("explorer"));
    auto* explorer = qobject_cast<ExplorerPage*>(w.currentPage());
    explorer->view()->renderImage();
    const float normalCanvas = explorer->view()->fontPixels();
    QVERIFY(normalCanvas > 10);
    auto* dock = w.findChild<QDockWidget*>("settingsDock");
    QVERIFY(dock && dock->isVisible());
    QTest::keyClick(&w, Qt::Key_F11);
    QVERIFY(w.presentationMode());
    QTRY_VERIFY(w.isFullScreen());
    QVERIFY(!dock->isVisible());
    QVERIFY(QApplication::font().pointSizeF() > normal * 1.2);
    QVERIFY(w.lessonBar()->presentation());
    // The ImGui canvases draw a larger font too (rasterised at the new size).
    explorer->view()->renderImage();
    QVERIFY2(explorer->view()->fontPixels() > normalCanvas * 1.2f, qPrintable(QString("%1 -> %2").arg(normalCanvas).arg(explorer->view()->fontPixels())));
    QTest::keyClick(&w, Qt::Key_F11);
    QVERIFY(!w.presentationMode());
    QTRY_VERIFY(!w.isFullScreen());
    QVERIFY(dock->isVisible());
    QCOMPARE(QApplication::font().pointSizeF(), normal);
    w.runner()->cancelAll();
    w.runner()->waitAll();
  }

  void brokenLessonsAreRefusedWithTheirReason() {
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.json");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"title\": \"T\", \"steps\": [{\"title\": \"S\", \"text\": \"X\", \"preset\": {\"variants\": [\"nope\"]}}]}");
    file.close();
    MainWindow w(options());
    QVERIFY(!w.startLesson(path));
    QVERIFY2(w.errorText().contains("broken.json") && w.errorText().contains("unknown variant 'nope'"), qPrintable(w.errorText()));
    QVERIFY(!w.lessonPlayer()->active());
    QVERIFY(!w.startLesson("no-such-lesson"));
    QVERIFY2(w.errorText().contains("sparse-windows"), qPrintable(w.errorText()));  // names the built-in ones
    auto* page = qobject_cast<LessonsPage*>(w.page("lessons"));
    const size_t before = page->lessons().size();
    QVERIFY(!page->openLesson(path));
    QCOMPARE(page->lessons().size(), before);
    w.runner()->waitAll();
  }

  // A lesson made in the window: each "Add View to Lesson" keeps the session,
  // the page and its settings as a step; the lesson plays those steps back,
  // saves as a file that reads back, and steps can be removed.
  void aLessonIsRecordedInTheWindow() {
    MainWindow w(options());
    w.show();
    auto* page = qobject_cast<LessonsPage*>(w.page("lessons"));
    const size_t shipped = page->lessons().size();
    QCOMPARE(page->draftRow(), -1);

    // Step 1: longformer with a window of 8 in the explorer.
    SessionState s = w.session()->state();
    s.variants = {"longformer", "dense"};
    s.variantSpecs = {makeSpec("longformer"), makeSpec("dense")};
    s.variantSpecs[0].params.set("window", "8");
    s.base.attention = s.variantSpecs[0];
    w.session()->setState(s);
    QVERIFY(w.showPage("explorer"));
    QVERIFY(!w.recordLessonStep("  ", "no title"));
    QVERIFY(w.recordLessonStep("Eight tokens each way", "Drag the window slider."));
    QVERIFY(w.statusLabel()->text().contains("Step 1"));
    // Step 2: causal, on the compare page, n = 128.
    s = w.session()->state();
    s.base.n = 128;
    s.base.attention.causal = true;
    for (AttentionSpec& spec : s.variantSpecs) spec.causal = true;
    w.session()->setState(s);
    QVERIFY(w.showPage("compare"));
    QVERIFY(w.recordLessonStep("Causal", ""));
    QCOMPARE(page->lessons().size(), shipped + 1);
    QCOMPARE(page->draftRow(), static_cast<int>(shipped));
    const Lesson mine = page->lessons().back();
    QCOMPARE(mine.steps.size(), size_t(2));
    QCOMPARE(mine.steps[0].view, std::string("explorer"));
    QVERIFY(QString::fromStdString(mine.steps[0].pageState).contains("longformer"));
    QCOMPARE(mine.steps[0].preset.variants.at(0).params.getInt("window"), int64_t(8));
    QCOMPARE(*mine.steps[0].preset.n, int64_t(256));
    QCOMPARE(*mine.steps[1].preset.causal, true);
    QCOMPARE(*mine.steps[1].preset.n, int64_t(128));
    QCOMPARE(mine.steps[1].text.in("en"), std::string("Causal"));  // no text: the title stands for it

    // Saved, it reads back as a file, and plays from there as recorded.
    QTemporaryDir dir;
    const QString path = dir.filePath("windows-by-hand.json");
    QVERIFY(page->saveLesson(page->draftRow(), path));
    const Lesson back = loadLessonFile(path.toStdString());
    QCOMPARE(back.id, std::string("windows-by-hand"));
    QCOMPARE(back.steps.size(), size_t(2));
    QVERIFY(w.startLesson(path, 0));
    QCOMPARE(w.currentPage()->id(), QString("explorer"));
    QCOMPARE(w.session()->state().variants, (std::vector<std::string>{"longformer", "dense"}));
    QCOMPARE(w.session()->state().variantSpecs[0].params.getInt("window"), int64_t(8));
    QCOMPARE(w.session()->state().base.n, int64_t(256));
    QVERIFY(!w.session()->state().base.attention.causal);
    w.lessonPlayer()->next();
    QCOMPARE(w.currentPage()->id(), QString("compare"));
    QVERIFY(w.session()->state().base.attention.causal);
    QCOMPARE(w.session()->state().base.n, int64_t(128));
    w.lessonPlayer()->stop();
    // The lesson made here is part of the session: saved and opened again, it is back.
    const QString session = dir.filePath("with-lesson.attnscope");
    QVERIFY(w.writeSession(session, false));
    {
      MainWindow again(options());
      auto* other = qobject_cast<LessonsPage*>(again.page("lessons"));
      QCOMPARE(other->draftRow(), -1);
      QVERIFY(again.loadSession(session, false));
      QVERIFY(other->draftRow() >= 0);
      QCOMPARE(other->lessons().back().steps.size(), size_t(2));
      QCOMPARE(other->lessons().back().steps[0].preset.variants.at(0).params.getInt("window"), int64_t(8));
      QCOMPARE(other->lessons().back().steps[1].title.in("en"), std::string("Causal"));
      again.runner()->waitAll();
    }

    // A folder that is not there: refused with the reason.
    QVERIFY(!page->saveLesson(page->draftRow(), dir.filePath("no/such/folder/x.json")));

    // Steps are edited (title and text, the preset stays) and reordered.
    page->editDraftStep(1, "Causal, at 128 tokens", "Each row stops at the diagonal.");
    page->moveDraftStep(1, -1);
    QCOMPARE(page->lessons().back().steps[0].title.in("en"), std::string("Causal, at 128 tokens"));
    QCOMPARE(page->lessons().back().steps[0].text.in("en"), std::string("Each row stops at the diagonal."));
    QCOMPARE(*page->lessons().back().steps[0].preset.n, int64_t(128));
    QCOMPARE(page->lessons().back().steps[1].view, std::string("explorer"));
    page->moveDraftStep(0, -1);  // already first: nothing moves
    QCOMPARE(page->lessons().back().steps[0].view, std::string("compare"));
    page->moveDraftStep(0, +1);

    // Steps come out of the window's lesson; the last one takes the lesson away.
    page->removeDraftStep(0);
    QCOMPARE(page->lessons().back().steps.size(), size_t(1));
    QCOMPARE(page->lessons().back().steps[0].view, std::string("compare"));
    page->removeDraftStep(0);
    QCOMPARE(page->lessons().size(), shipped);
    QCOMPARE(page->draftRow(), -1);
    w.runner()->waitAll();
  }

  // A shipped lesson copied into one's own: its steps (and title) to edit and save.
  void aShippedLessonIsCopiedToEdit() {
    MainWindow w(options());
    auto* page = qobject_cast<LessonsPage*>(w.page("lessons"));
    const Lesson shipped = page->lessons().at(0);
    page->copyToDraft(0);
    QVERIFY(page->draftRow() >= 0);
    const Lesson& mine = page->lessons().at(static_cast<size_t>(page->draftRow()));
    QCOMPARE(mine.steps.size(), shipped.steps.size());
    QCOMPARE(mine.title.byLanguage, shipped.title.byLanguage);
    QCOMPARE(mine.steps.back().view, shipped.steps.back().view);
    page->editDraftStep(0, "Mine now", "Edited.");
    QCOMPARE(page->lessons().at(0).steps[0].title.in("en"), shipped.steps[0].title.in("en"));  // the shipped one is untouched
    // Copying again appends.
    page->copyToDraft(0);
    QCOMPARE(page->lessons().at(static_cast<size_t>(page->draftRow())).steps.size(), 2 * shipped.steps.size());
    page->copyToDraft(page->draftRow());  // itself: nothing
    QCOMPARE(page->lessons().at(static_cast<size_t>(page->draftRow())).steps.size(), 2 * shipped.steps.size());
    QTemporaryDir dir;
    QVERIFY(page->saveLesson(page->draftRow(), dir.filePath("mine.json")));
    QCOMPARE(loadLessonFile(dir.filePath("mine.json").toStdString()).steps.at(0).title.in("en"), std::string("Mine now"));
    w.runner()->waitAll();
  }

  // View > Add View to Lesson asks for the title and text in a dialog.
  void theMenuAsksForTitleAndText() {
    MainWindow w(options());
    w.show();
    auto* action = w.findChild<QAction*>("recordLessonStep");
    QVERIFY(action);
    action->trigger();
    auto* dialog = w.findChild<QDialog*>("lessonStepDialog");
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto* buttons = dialog->findChild<QDialogButtonBox*>();
    QVERIFY(!buttons->button(QDialogButtonBox::Ok)->isEnabled());  // no title yet
    dialog->findChild<QLineEdit*>("stepTitle")->setText("全部的配对");
    dialog->findChild<QPlainTextEdit*>("stepText")->setPlainText("稠密注意力计算每一对。");
    QVERIFY(buttons->button(QDialogButtonBox::Ok)->isEnabled());
    buttons->button(QDialogButtonBox::Ok)->click();
    auto* page = qobject_cast<LessonsPage*>(w.page("lessons"));
    QVERIFY(page->draftRow() >= 0);
    QCOMPARE(page->lessons().back().steps.at(0).title.in("en"), std::string("全部的配对"));
    QCOMPARE(page->lessons().back().steps.at(0).view, std::string("compare"));
    w.runner()->waitAll();
  }

  // The executable saves every step: a picture per step, each showing its own page.
  void everyStepIsSaved() {
    QTemporaryDir dir;
    QProcess app;
    app.start(ATTNSCOPE_GUI_EXE, {"--lesson", "low-rank", "--lesson-shots", dir.path()});
    QVERIFY(app.waitForFinished(240000));
    QVERIFY2(app.exitCode() == 0, app.readAllStandardError().constData());
    const QStringList shots = QDir(dir.path()).entryList({"step-*.png"}, QDir::Files, QDir::Name);
    QCOMPARE(shots, (QStringList{"step-01.png", "step-02.png", "step-03.png", "step-04.png"}));
    const QImage first(dir.filePath(shots[0])), third(dir.filePath(shots[2]));
    QVERIFY(!first.isNull() && !third.isNull());
    QVERIFY(first != third);
    // A bad lesson fails the run with its reason.
    QProcess bad;
    bad.start(ATTNSCOPE_GUI_EXE, {"--lesson", "no-such-lesson", "--lesson-shots", dir.path()});
    QVERIFY(bad.waitForFinished(60000));
    QVERIFY(bad.exitCode() != 0);
    QVERIFY(bad.readAllStandardError().contains("no-such-lesson"));
  }
};

QTEST_MAIN(TestAppLessons)
#include "test_app_lessons.moc"
