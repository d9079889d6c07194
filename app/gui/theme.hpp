// Light and dark palettes for the whole application (the views draw with the
// palette, so one switch recolours axes, text and backgrounds everywhere).
#pragma once

#include <QString>

namespace attnscope {

enum class Theme { Light, Dark };

void applyTheme(Theme theme);
Theme currentTheme();
QString themeName(Theme theme);  // "light" / "dark" (settings, sessions)
Theme parseTheme(const QString& name);
// The choice made in View > Light/Dark Theme, kept for the next start (Light when none).
Theme savedTheme();
void saveTheme(Theme theme);

}  // namespace attnscope
