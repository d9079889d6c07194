// The spectrum view: Eckart–Young arithmetic, marks at the right x, the
// summary of effective ranks, and export.
#include <QtTest>

#include <QChart>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <cmath>

#include "spectrum_view.hpp"
#include "view_export.hpp"

using namespace attnscope;

namespace {
// sigma_i = 2^-i for i = 0..count-1, summarised as the core does.
Spectrum geometric(int count) {
  Spectrum s;
  s.method = "exact";
  s.n = count;
  for (int i = 0; i < count; ++i) s.sigma.push_back(std::pow(0.5, i));
  for (double v : s.sigma) s.totalEnergy += v * v;
  summarizeSpectrum(s);
  return s;
}

bool near(const QColor& a, const QColor& b, int tolerance) {
  return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance && std::abs(a.blue() - b.blue()) <= tolerance;
}
}  // namespace

class TestSpectrumView : public QObject {
  Q_OBJECT

 private slots:
  void eckartYoungKeepsTheLargestValues() {
    // sigma = 3, 2, 1: ||A||_F^2 = 14; best rank 1 leaves 2^2 + 1^2 = 5.
    const std::vector<double> errors = eckartYoungErrors({3, 2, 1}, 14);
    QCOMPARE(errors.size(), size_t{4});
    QCOMPARE(errors[0], 1.0);
    QVERIFY(std::abs(errors[1] - std::sqrt(5.0 / 14)) < 1e-12);
    QVERIFY(std::abs(errors[2] - std::sqrt(1.0 / 14)) < 1e-12);
    QCOMPARE(errors[3], 0.0);
    // A randomized spectrum knows the leading values and the total: the tail counts.
    const std::vector<double> partial = eckartYoungErrors({3}, 14);
    QVERIFY(std::abs(partial[1] - std::sqrt(5.0 / 14)) < 1e-12);
    QVERIFY(eckartYoungErrors({1}, 0).empty());
    Spectrum s;
    s.sigma = {3, 2, 1};
    s.totalEnergy = 14;
    QVERIFY(std::isnan(eckartYoungError(s, 4)));
    QCOMPARE(rankForError(s, 0.3), int64_t{2});
    QCOMPARE(rankForError(s, 0.0), int64_t{3});
    QCOMPARE(rankForError(s, -1), int64_t{-1});
  }

  void markIsDrawnAtItsRank() {
    Spectrum s = geometric(24);
    s.marks.push_back({"k", 8, s.sigma[8] / s.sigma[0]});
    SpectrumView view;
    view.resize(520, 420);
    view.setSpectrum(s, "linformer (k = 8), head 0");
    const QImage shot = renderWidgetImage(&view);
    const QPointF top = view.positionOf(8, 0.7), other = view.positionOf(16, 0.7);
    QVERIFY(top.x() > 0 && other.x() > top.x());
    auto columnHasMark = [&](QPointF p) {
      for (int dx = -1; dx <= 1; ++dx)
        for (int dy = -3; dy <= 3; ++dy)
          if (near(shot.pixel(static_cast<int>(p.x()) + dx, static_cast<int>(p.y()) + dy), SpectrumView::markColor(0), 40)) return true;
      return false;
    };
    QVERIFY(columnHasMark(top));
    QVERIFY(!columnHasMark(other));
    QVERIFY(view.legendNames().contains("k = 8"));
    QVERIFY2(view.summaryText().contains("effective rank"), qPrintable(view.summaryText()));
    QCOMPARE(view.titleText(), QString("linformer (k = 8), head 0"));
    // The singular values fall: sigma_1 sits above sigma_10 on the log axis.
    QVERIFY(view.positionOfValue(1, s.sigma[0]).y() < view.positionOfValue(10, s.sigma[9]).y());
  }

  void denseReferenceComparesWithTheBound() {
    Spectrum variant = geometric(16);
    variant.marks.push_back({"k", 4, -1});
    const Spectrum dense = geometric(32);
    SpectrumView view;
    view.resize(520, 420);
    view.setSpectrum(variant, "linformer");
    view.setDenseReference(dense, 0.2);
    const QString text = view.summaryText();
    const double bound = eckartYoungError(dense, 4);
    QVERIFY2(text.contains(QString::number(bound, 'g', 3)) && text.contains("0.2"), qPrintable(text));
    QVERIFY(view.legendNames().contains("best rank-r error of dense (Eckart–Young)"));
    const QString hover = view.describeRank(2);
    QVERIFY2(hover.contains("r = 2") && hover.contains("σ = 0.5") && hover.contains(QString::number(eckartYoungError(dense, 2), 'g', 4)), qPrintable(hover));
    QVERIFY(view.describeRank(17).isEmpty());
    view.clear();
    QVERIFY(!view.hasSpectrum());
    QVERIFY(view.legendNames().isEmpty());
  }

  void exportsPngAndSvg() {
    QTemporaryDir dir;
    // ATTNSCOPE_TEST_DUMP=DIR keeps the exports for a look.
    const QString dump = qEnvironmentVariable("ATTNSCOPE_TEST_DUMP");
    SpectrumView view;
    Spectrum s = geometric(12);
    s.marks.push_back({"m", 6, -1});
    view.setSpectrum(s, "performer");
    view.setDenseReference(geometric(24), 0.05);
    QString error;
    QVERIFY2(saveWidgetPng(&view, dir.filePath("s.png"), &error, QSize(480, 360)), qPrintable(error));
    QVERIFY2(saveWidgetSvg(&view, dir.filePath("s.svg"), &error, QSize(480, 360)), qPrintable(error));
    if (!dump.isEmpty()) QFile::copy(dir.filePath("s.png"), dump + "/spectrum.png");
    QCOMPARE(QImage(dir.filePath("s.png")).size(), QSize(480, 360));
    QFile file(dir.filePath("s.svg"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int elements = 0;
    while (!xml.atEnd())
      if (xml.readNext() == QXmlStreamReader::StartElement) ++elements;
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(elements > 10);  // vector paths, not one picture
  }
};

QTEST_MAIN(TestSpectrumView)
#include "test_spectrum_view.moc"
