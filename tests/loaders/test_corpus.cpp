// Every fuzz seed (tests/fuzz/corpus/*/*) through every loader entry, with
// default options and with the fuzzers' options: nothing may crash; errors
// are fine. Files that once crashed a fuzzer are kept in the corpus.
#include <QDirIterator>
#include <QtTest>

#include "../fuzz/fuzz_entry.hpp"

using namespace attnscope;

class TestCorpus : public QObject {
  Q_OBJECT

 private slots:
  void everySeedThroughEveryLoader() {
    const fuzz::LoaderFn loaders[] = {loadText, loadFasta, loadCsv, loadNpy, loadSafetensors, loadSequence};
    QDirIterator it(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/fuzz/corpus"), QDir::Files, QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
      QFile f(it.next());
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QByteArray bytes = f.readAll();
      const auto* data = reinterpret_cast<const uint8_t*>(bytes.constData());
      const size_t size = static_cast<size_t>(bytes.size());
      for (fuzz::LoaderFn loader : loaders) {
        fuzz::runLoader(data, size, loader, LoadOptions{});
        fuzz::runLoader(data, size, loader, fuzz::fuzzOptions(data, size));
      }
      ++files;
    }
    QVERIFY2(files >= 30, qPrintable(QString("only %1 corpus files found").arg(files)));
  }
};

QTEST_APPLESS_MAIN(TestCorpus)
#include "test_corpus.moc"
