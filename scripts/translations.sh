#!/usr/bin/env bash
# The site's interface strings (Flask-Babel, gettext). Source strings are English, in the code and templates.
#   scripts/translations.sh update   extract them (babel.cfg) and merge into archive/translations/{vi,en}/…/messages.po
#   scripts/translations.sh compile  write the .mo files the app loads (committed; tests/test_site_i18n.py checks
#                                    that every string has a vi and an en translation and that the .mo files match)
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
case "${1:-}" in
  update)
    pot=$(mktemp --suffix=.pot)
    trap 'rm -f "$pot"' EXIT
    "$pybabel" extract -F babel.cfg -c "Translators:" --no-location --sort-output \
      --project "heritage-archive" --copyright-holder "Heritage Archive Project" -o "$pot" archive
    for lang in vi en; do
      if [ -f "archive/translations/$lang/LC_MESSAGES/messages.po" ]; then
        "$pybabel" update --no-fuzzy-matching -i "$pot" -d archive/translations -l "$lang"
      else
        "$pybabel" init -i "$pot" -d archive/translations -l "$lang"
      fi
    done ;;
  compile)
    "$pybabel" compile -d archive/translations ;;
  *)
    echo "usage: $0 update|compile" >&2
    exit 2 ;;
esac
