#!/usr/bin/env bash
# Front-end files of the web site, from the npm registry pinned by package-lock.json (never from a CDN at run time):
# `npm ci` when node_modules is missing or older than the lock file, then copy what the site serves into
# archive/web/static/vendor (scripts/vendor_static.py). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi
if [ ! -f archive/web/static/vendor/versions.json ] || [ node_modules/.package-lock.json -nt archive/web/static/vendor/versions.json ] \
   || [ scripts/vendor_static.py -nt archive/web/static/vendor/versions.json ] \
   || [ scripts/vendor_basemap.js -nt archive/web/static/vendor/versions.json ]; then
  .venv/bin/python scripts/vendor_static.py
fi
