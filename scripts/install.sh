#!/usr/bin/env bash
# Install everything the archive needs on a fresh Debian machine: Debian packages, the Python virtualenv with the
# pinned packages, and the generated sample media. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ffmpeg libvips-tools espeak-ng sox fonts-noto-core fonts-noto-cjk fonts-khmeros libmagic1 libraqm0
              chromium nginx-light wrk maven openjdk-17-jre-headless postgresql
              redis-server openssl
              tesseract-ocr tesseract-ocr-vie tesseract-ocr-khm tesseract-ocr-chi-sim tesseract-ocr-chi-tra
              tesseract-ocr-chi-tra-vert)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)  # any Node.js 18+ will do (Debian's or NodeSource's)
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

.venv/bin/python media_samples/make_large_image.py
scripts/fetch_elasticsearch.sh
scripts/site_assets.sh              # OpenSeadragon, axe-core and the Cham/Khmer/Han web fonts from npm
scripts/translations.sh compile >/dev/null
