#!/bin/sh
# Fails unless every catalogue in po/LINGUAS is complete: valid (msgfmt --check), without
# fuzzy or untranslated messages, and translating every string the sources have now.
#
# Usage: check-translations.sh SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

root=$1
podir=$root/po
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same extraction as i18n.gettext(preset: 'glib') in po/meson.build.
grep -v -e '^#' -e '^$' "$podir/POTFILES.in" > "$tmp/POTFILES"
xgettext --from-code=UTF-8 --add-comments=Translators \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --directory="$root" --files-from="$tmp/POTFILES" --output="$tmp/sdelka.pot"

status=0
for lang in $(sed -e 's/#.*//' "$podir/LINGUAS"); do
  po="$podir/$lang.po"
  if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "$po: msgfmt --check failed:"
    echo "$stats"
    status=1
    continue
  fi
  echo "$po: $stats"
  case $stats in
    *fuzzy*|*untranslated*)
      echo "$po: has fuzzy or untranslated messages"
      status=1 ;;
  esac
  if ! LC_ALL=C msgcmp --use-untranslated "$po" "$tmp/sdelka.pot" 2>"$tmp/msgcmp"; then
    echo "$po: does not cover the sources' current strings:"
    cat "$tmp/msgcmp"
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "Refresh with: meson compile -C BUILD sdelka-update-po, then translate what is new."
fi
exit $status
