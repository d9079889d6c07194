// The window's language: English (the source strings) or Simplified Chinese
// (resources/translations, compiled in). Chosen by --lang, else the choice
// saved from View > Language, else the system locale; installed before the
// window is built, so every tr() the window runs sees it (another language is
// a restart: MainWindow::restartIn).
#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

namespace attnscope {

// "en", "zh_CN": the values --lang and the saved setting take.
QStringList languageCodes();
// The language's name in itself ("English", "中文"), as the View menu lists it.
QString languageName(const QString& code);
// A code as given, or empty when it is none of languageCodes().
QString normalizeLanguage(const QString& code);
// --lang when given, else the saved choice, else the system's (a Chinese locale gives zh_CN).
QString chooseLanguage(const QString& option, const QString& saved, const QLocale& system);
// The choice saved from the View menu ("" when none was made).
QString savedLanguage();
void saveLanguage(const QString& code);
// Installs the translators for code on the application (the window's strings,
// the engine's words, and Qt's own dialogs where Qt's translations are
// installed) and a font that draws Chinese. False, with *error set, when the
// compiled-in translation is missing. "en" installs nothing.
bool installLanguage(const QString& code, QString* error = nullptr);
// The language installed last ("en" before any).
QString currentLanguage();

}  // namespace attnscope
