#!/usr/bin/env bash
# Installs everything the kiosk needs on Debian 12: system packages (when run as root or with sudo),
# a virtualenv in .venv and the kiosk package with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv python3-dev
  espeak-ng                       # speech output engine behind pyttsx3 (cmn-latn-pinyin voice)
  fonts-wqy-microhei              # Simplified Chinese font for Kivy
  libgl1-mesa-dri libegl1 libgl1 libgbm1 libmtdev1   # Kivy's SDL2/GL on Mesa (offscreen or real)
  libportaudio2                   # microphone input through sounddevice
  socat                           # a real serial pty pair for printer tests
  libzbar0 zbar-tools             # QR decoding in receipt tests
  fontconfig
  postgresql                      # the central service's database (tests start a throwaway cluster)
  chromium                        # headless browser test of the central status page and console
  faketime                        # tests run at other dates (scripts/test-dates.sh)
  libzinnia0 tegaki-zinnia-simplified-chinese   # offline handwriting recognition (手写)
)

need_apt=0
for p in "${APT_PACKAGES[@]}"; do
  case "$p" in \#*) continue;; esac
  dpkg -s "$p" >/dev/null 2>&1 || { need_apt=1; break; }
done
if [ "$need_apt" = 1 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.kiosk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e ".[kiosk,test]"
  touch "$stamp"
fi
