#!/bin/sh
# Refreshes resources/translations/attnscope_zh_CN.ts from the sources: every
# tr() string of app/ and views/, and the engine's own words (variant titles,
# families, parameter help and units, sample descriptions) listed from the
# variant registry into resources/translations/engine_strings.cpp.
#
# Run it after adding or changing a user-visible string, translate the entries
# it marks unfinished (Qt Linguist, or any editor: type="unfinished"), and
# commit both files; the build compiles the .ts with lrelease, and
# tests/gui/test_translations fails while an entry is left unfinished.
#
#   scripts/update-translations.sh            # uses build/ (BUILD=dir for another)
set -e
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LUPDATE=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
TS=resources/translations/attnscope_zh_CN.ts
ENGINE=resources/translations/engine_strings.cpp

if [ ! -x "$LUPDATE" ]; then
  echo "error: $LUPDATE not found (Debian package qt6-l10n-tools; LUPDATE=path for another)" >&2
  exit 1
fi
# The engine's strings come from the registry itself, so a new variant needs nothing listed by hand.
cmake --build "$BUILD" --target attnscope-cli >/dev/null
"$BUILD/app/cli/attnscope-cli" info --engine-strings > "$ENGINE.new"
mv "$ENGINE.new" "$ENGINE"

# -no-obsolete: strings gone from the sources leave the file (their
# translations still seed similar new strings, marked unfinished).
"$LUPDATE" -silent -no-obsolete -locations relative -source-language en -target-language zh_CN \
  app views "$ENGINE" -ts "$TS"

total=$(grep -c '<message' "$TS" || true)
unfinished=$(grep -c 'type="unfinished"' "$TS" || true)
echo "$TS: $total messages, $unfinished unfinished"
