#!/usr/bin/env bash
# Quick start 1: install everything, then run the kiosk on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${SDL_VIDEODRIVER:-}" ]; then
  echo "kiosk: no display found; running in the offscreen window (set DISPLAY to see it)" >&2
  export SDL_VIDEODRIVER=offscreen
fi
# No staff secret given: this is a demo. It gets its own strong random secret (never a built-in
# one), kept in a 0600 file in the data directory, and its store is marked demo, so a real
# install (no [store] demo) refuses to open it. See README, Privacy.
if [ -z "${KIOSK_STAFF_SECRET:-}" ] && [ -z "${KIOSK_STORE__SECRET_FILE:-}" ]; then
  export KIOSK_STORE__DEMO=true
  KIOSK_STORE__SECRET_FILE="$(.venv/bin/kiosk store demo-secret)"
  export KIOSK_STORE__SECRET_FILE
  echo "kiosk: DEMO mode; its staff secret was generated into $KIOSK_STORE__SECRET_FILE (readable only by you)" >&2
fi
exec .venv/bin/kiosk run "$@"
