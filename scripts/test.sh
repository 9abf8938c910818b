#!/usr/bin/env bash
# Quick start 2: install everything, check the enforced rules, then run the whole test suite
# headless on every core (pytest-xdist, one test file per worker at a time).
# Extra arguments go to pytest, e.g. `scripts/test.sh -k pronunciation` or `-m "not ui"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/lint.sh
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
# Many tests start `python -m kiosk...` subprocesses: let them reuse compiled bytecode.
unset PYTHONDONTWRITEBYTECODE
start=$(date +%s)
status=0
.venv/bin/python -m pytest -q -n "${KIOSK_TEST_WORKERS:-auto}" --dist loadfile --durations=15 "$@" || status=$?
echo "test suite: $(( $(date +%s) - start )) s"
exit $status
