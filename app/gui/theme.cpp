#include "theme.hpp"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QSettings>
#include <QStyleFactory>

namespace attnscope {

namespace {

Theme g_theme = Theme::Light;

QPalette darkPalette() {
  QPalette p;
  const QColor window(45, 45, 48), base(30, 30, 32), text(220, 220, 220), disabled(128, 128, 128), highlight(42, 130, 218);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::ToolTipBase, base);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, Qt::red);
  p.setColor(QPalette::Link, highlight);
  p.setColor(QPalette::Highlight, highlight);
  p.setColor(QPalette::HighlightedText, Qt::black);
  p.setColor(QPalette::PlaceholderText, disabled);
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) p.setColor(QPalette::Disabled, role, disabled);
  return p;
}

}  // namespace

void applyTheme(Theme theme) {
  g_theme = theme;
  // Fusion honours a custom palette on every platform.
  QApplication::setStyle(QStyleFactory::create("Fusion"));
  QApplication::setPalette(theme == Theme::Dark ? darkPalette() : QApplication::style()->standardPalette());
}

Theme currentTheme() { return g_theme; }

QString themeName(Theme theme) { return theme == Theme::Dark ? "dark" : "light"; }

Theme parseTheme(const QString& name) { return name == "dark" ? Theme::Dark : Theme::Light; }

Theme savedTheme() { return parseTheme(QSettings().value(QStringLiteral("ui/theme"), QStringLiteral("light")).toString()); }

void saveTheme(Theme theme) { QSettings().setValue(QStringLiteral("ui/theme"), themeName(theme)); }

}  // namespace attnscope
