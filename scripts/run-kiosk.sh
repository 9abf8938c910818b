#!/usr/bin/env bash
# Quick start 1: install everything, then run the kiosk on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${SDL_VIDEODRIVER:-}" ]; then
  echo "kiosk: no display found; running in the offscreen window (set DISPLAY to see it)" >&2
  export SDL_VIDEODRIVER=offscreen
fi
exec .venv/bin/kiosk run "$@"
