#!/usr/bin/env bash
# Runs the kiosk-side tests (all but the PostgreSQL/browser ones) at other dates under Debian's
# faketime, proving no test depends on today's date: 2027-02-28 23:59:30 (the day, the month and
# February's end roll over during the run) and 2030-12-31 23:59:00 (the year rolls over).
# Usage: scripts/test-dates.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
# '@' starts the fake wall clock at that moment and lets it run. Monotonic time stays real so
# timeouts behave as on any day; tests/faketime/sitecustomize.py works around libfaketime's
# clock_nanosleep bug in that mode (see its docstring).
export FAKETIME_DONT_FAKE_MONOTONIC=1
export PYTHONPATH="$PWD/tests/faketime${PYTHONPATH:+:$PYTHONPATH}"
status=0
for when in "2027-02-28 23:59:30" "2030-12-31 23:59:00"; do
  echo "== tests at $when"
  faketime -f "@$when" .venv/bin/python -m pytest -q -m "not central" -p no:cacheprovider \
    -n "${KIOSK_TEST_WORKERS:-auto}" --dist loadfile "$@" || status=1
done
exit $status
