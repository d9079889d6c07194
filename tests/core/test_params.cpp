// Parameter schemas: parsing, ranges, and errors that name the parameter.
#include <QtTest>

#include "attention/params.hpp"
#include "common/error.hpp"

using namespace attnscope;

class TestParams : public QObject {
  Q_OBJECT

 private:
  static Params sample() {
    return Params({intParam("window", 64, 1, 65536, "half width", "tokens"), floatParam("gate", 0.5, 0.0, 1.0, "keep fraction"),
                   boolParam("share_ef", false, "E = F"), enumParam("projection", "gaussian", {"gaussian", "mean_pool"}, "kind"),
                   indexListParam("global_indices", "indices"), stringParam("global_pattern", "", "regex")});
  }

  static QString errorOf(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const Error& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }

 private slots:
  void defaultsAndAssignments() {
    Params p = sample();
    QCOMPARE(p.getInt("window"), int64_t{64});
    p.assign("window=128");
    p.assign("gate = 0.25");
    p.assign("share_ef=true");
    p.assign("projection=mean_pool");
    p.assign("global_indices=0, 5,17");
    p.assign("global_pattern=\\[CLS\\]|\\.");
    QCOMPARE(p.getInt("window"), int64_t{128});
    QCOMPARE(p.getFloat("gate"), 0.25);
    QCOMPARE(p.getBool("share_ef"), true);
    QCOMPARE(p.getString("projection"), std::string("mean_pool"));
    QCOMPARE(p.getIndexList("global_indices"), (std::vector<int64_t>{0, 5, 17}));
    QCOMPARE(p.describe().front(), (std::pair<std::string, std::string>{"window", "128"}));
  }

  void errorsNameTheParameterAndRange() {
    Params p = sample();
    QString e = errorOf([&] { p.assign("window=0"); });
    QVERIFY2(e.contains("'window'") && e.contains("[1, 65536]"), qPrintable(e));
    e = errorOf([&] { p.assign("window=12abc"); });
    QVERIFY2(e.contains("'window'") && e.contains("not an integer"), qPrintable(e));
    e = errorOf([&] { p.assign("gate=1.5"); });
    QVERIFY2(e.contains("'gate'") && e.contains("[0, 1]"), qPrintable(e));
    e = errorOf([&] { p.assign("projection=fourier"); });
    QVERIFY2(e.contains("gaussian, mean_pool"), qPrintable(e));
    e = errorOf([&] { p.assign("colour=red"); });
    QVERIFY2(e.contains("unknown parameter 'colour'") && e.contains("window"), qPrintable(e));
    e = errorOf([&] { p.assign("window"); });
    QVERIFY2(e.contains("NAME=VALUE"), qPrintable(e));
    e = errorOf([&] { p.assign("global_indices=1,x"); });
    QVERIFY2(e.contains("'global_indices'"), qPrintable(e));
    e = errorOf([&] { p.assign("global_pattern=[unclosed"); });
    QVERIFY2(e.contains("regular expression"), qPrintable(e));
    e = errorOf([&] { p.assign("gate=nan"); });
    QVERIFY2(!e.isEmpty(), "NaN accepted");
    // Failed assignments leave the previous value.
    QCOMPARE(p.getInt("window"), int64_t{64});
  }

  void numbersIgnoreTheLocale() {
    // from_chars never reads a decimal comma, whatever the process locale is.
    std::setlocale(LC_ALL, "de_DE.UTF-8");
    Params p = sample();
    p.assign("gate=0.75");
    QCOMPARE(p.getFloat("gate"), 0.75);
    QVERIFY(!errorOf([&] { p.assign("gate=0,75"); }).isEmpty());
    std::setlocale(LC_ALL, "C");
  }
};

QTEST_APPLESS_MAIN(TestParams)
#include "test_params.moc"
