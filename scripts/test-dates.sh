#!/usr/bin/env bash
# Runs the kiosk-side tests (all but the PostgreSQL/browser ones) at other dates under Debian's
# faketime, proving no test depends on today's date: 2027-02-28 23:59:30 (a month, a year-end
# for the fiscal day and midnight all roll over during the run) and 2030-12-31.
# Usage: scripts/test-dates.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
# '@' starts the fake clock at that moment and lets it run at the real rate, so timeouts and
# waits behave as on any day. (FAKETIME_DONT_FAKE_MONOTONIC=1 breaks Python's time.sleep with
# EINVAL in libfaketime 0.9.10: leave monotonic time to faketime.)
for when in "2027-02-28 23:59:30" "2030-12-31 08:00:00"; do
  echo "== tests at $when"
  faketime -f "@$when" .venv/bin/python -m pytest -q -m "not central" -p no:cacheprovider "$@"
done
