#!/usr/bin/env bash
# The enforced rules (config in pyproject.toml): ruff (pyflakes, bugbear, import order), mypy with
# no untyped definitions in the Kivy-free core, and the import-linter layer contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"
.venv/bin/ruff check kiosk tests main.py
echo "== mypy (kiosk/dialogue, store, catalogue, printing)"
.venv/bin/mypy kiosk/dialogue kiosk/store kiosk/catalogue kiosk/printing
echo "== import-linter"
.venv/bin/lint-imports
