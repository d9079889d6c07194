// Files reach the lab through the same loader entry as the CLI: the open
// slot and drag and drop both run on the file, and a bad file is a clear
// message in the window, never a crash.
#include <QtTest>

#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "app_options.hpp"
#include "compare_column.hpp"
#include "compare_page.hpp"
#include "heatmap_view.hpp"
#include "main_window.hpp"
#include "sequence_panel.hpp"
#include <QLabel>

using namespace attnscope;

class TestAppOpenFile : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  AppOptions options() {
    QString error;
    auto o = parseAppOptions({"--n", "64", "--heads", "1", "--d", "16", "--compare", "dense"}, &error);
    return *o;
  }

  QString writeFile(const QString& name, const QByteArray& bytes) {
    QFile f(dir_.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(bytes);
    return f.fileName();
  }

  static ComparePage* comparePage(MainWindow& w) { return qobject_cast<ComparePage*>(w.page("compare")); }

 private slots:
  void openedTextFileIsMapped() {
    MainWindow window(options());
    QSignalSpy shown(comparePage(window), &Page::resultsShown);
    window.openFile(writeFile("story.txt", "The harbor bell rang . The harbor was quiet , and the bell rang again ."));
    QVERIFY(shown.wait(30000));
    const HeatmapData& d = comparePage(window)->column(0)->map()->data();
    QVERIFY(d.labels);
    QCOMPARE(d.labels->at(1), std::string("harbor"));
    QCOMPARE(d.rows, static_cast<int64_t>(d.labels->size()));
  }

  // What the loader read differently from the file is said under the input,
  // not only in exported runs: here a CSV's missing values, interpolated.
  void loaderWarningsAreShown() {
    MainWindow window(options());
    QSignalSpy shown(comparePage(window), &Page::resultsShown);
    QByteArray csv = "value\n";
    for (int i = 0; i < 80; ++i) csv += (i % 10 == 3 ? QByteArray("nan") : QByteArray::number(i % 7)) + "\n";
    window.openFile(writeFile("series.csv", csv));
    QVERIFY(shown.wait(30000));
    QLabel* warnings = window.sequencePanel()->inputWarnings();
    QVERIFY2(warnings->isVisibleTo(&window) && warnings->text().contains("missing values interpolated") && warnings->text().contains("series.csv"),
             qPrintable(warnings->text()));
    // A clean file leaves nothing to say.
    window.openFile(writeFile("clean.txt", "The harbor bell rang . The harbor was quiet , and the bell rang again ."));
    QVERIFY(shown.wait(30000));
    QVERIFY(!warnings->isVisibleTo(&window));
  }

  void droppedFileIsOpened() {
    MainWindow window(options());
    QSignalSpy shown(comparePage(window), &Page::resultsShown);
    const QString path = writeFile("seq.fa", ">chr1 test\nACGTACGTTTGACA\nACGTACGT\n");
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QVERIFY(shown.wait(30000));
    QVERIFY(comparePage(window)->column(0)->map()->hasData());
    QCOMPARE(window.session()->state().base.inputFile, path.toStdString());
  }

  void badFileGivesAClearMessage() {
    MainWindow window(options());
    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.openFile(writeFile("broken.npy", QByteArray("\x93NUMPY\x01\x00\xff\x7f{'descr'", 18)));
    QVERIFY(errors.wait(30000));
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains("broken.npy"), qPrintable(message));
  }
};

QTEST_MAIN(TestAppOpenFile)
#include "test_app_open_file.moc"
