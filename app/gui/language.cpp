#include "language.hpp"

#include <QApplication>
#include <QFont>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

namespace attnscope {

namespace {

constexpr const char* kSettingKey = "ui/language";
QString g_current = QStringLiteral("en");

}  // namespace

QStringList languageCodes() { return {QStringLiteral("en"), QStringLiteral("zh_CN")}; }

QString languageName(const QString& code) { return code == "zh_CN" ? QStringLiteral("中文") : QStringLiteral("English"); }

QString normalizeLanguage(const QString& code) { return languageCodes().contains(code) ? code : QString(); }

QString chooseLanguage(const QString& option, const QString& saved, const QLocale& system) {
  if (!normalizeLanguage(option).isEmpty()) return option;
  if (!normalizeLanguage(saved).isEmpty()) return saved;
  // Any Chinese locale (Taiwan and Hong Kong too) gets the one Chinese interface there is.
  return system.language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
}

QString savedLanguage() { return normalizeLanguage(QSettings().value(kSettingKey).toString()); }

void saveLanguage(const QString& code) { QSettings().setValue(kSettingKey, code); }

bool installLanguage(const QString& code, QString* error) {
  // A language replaces the one before it (tests switch within one process).
  static QList<QTranslator*> installed;
  for (QTranslator* t : installed) {
    QCoreApplication::removeTranslator(t);
    delete t;
  }
  installed.clear();
  if (code == "en" || normalizeLanguage(code).isEmpty()) {
    g_current = QStringLiteral("en");
    return code == "en";
  }
  // Owned by the application: translators must outlive every tr() call.
  auto* own = new QTranslator(qApp);
  const QString file = QStringLiteral(":/attnscope/translations/attnscope_%1.qm").arg(code);
  if (!own->load(file)) {
    delete own;
    if (error) *error = QStringLiteral("the translation %1 is not in this build").arg(file);
    return false;
  }
  QCoreApplication::installTranslator(own);
  installed << own;
  // Qt's own strings (file dialogs, context menus), when qt6-translations-l10n is installed.
  auto* qt = new QTranslator(qApp);
  if (qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QCoreApplication::installTranslator(qt);
    installed << qt;
  } else {
    delete qt;
  }
  // Latin from the usual face, Han from Noto Sans CJK SC (fonts-noto-cjk):
  // otherwise fontconfig may fall back to the Japanese shapes of shared characters.
  if (auto* gui = qobject_cast<QApplication*>(QCoreApplication::instance())) {
    QFont font = gui->font();
    font.setFamilies({font.family(), QStringLiteral("Noto Sans CJK SC")});
    QApplication::setFont(font);
  }
  g_current = code;
  return true;
}

QString currentLanguage() { return g_current; }

}  // namespace attnscope
