// The engine's own words in the window's language. Variant titles, families,
// "use when" and "loses" lines, parameter help and units come from core as
// plain std::string (core has no Qt); the window translates them when it shows
// them, in the context "engine". scripts/update-translations.sh lists them from
// the registry (resources/translations/engine_strings.cpp) so lupdate sees them.
#pragma once

#include <QString>
#include <string>

#include "attention/params.hpp"

namespace attnscope {

// The translation of an engine string, or the string itself when there is none.
QString engineText(const std::string& text);
// A parameter's allowed values ("[1, 512]", "one of gaussian, mean_pool", ...)
// in the window's language; choice names stay as they are (they are CLI values).
QString paramAllowedText(const ParamSpec& spec);
// "help (allowed, unit)": the tooltip of a parameter's field.
QString paramToolTip(const ParamSpec& spec);
// A progress label of core's runs and sweeps ("repeat 3", "dense reference at
// n = 4096", "linformer k=64 at n = 2048"); series names stay as they are.
QString engineProgressText(const std::string& text);

}  // namespace attnscope
