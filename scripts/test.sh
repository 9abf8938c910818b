#!/usr/bin/env bash
# Quick start 2: install everything, then run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
exec .venv/bin/python -m pytest -q "$@"
