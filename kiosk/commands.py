"""Core sub-commands: `kiosk run`, `kiosk console FORM_ID`, `kiosk bench`."""
from __future__ import annotations

import argparse
import sys

from kiosk.config import load_settings


def _settings(args):
    return load_settings(args.config)


def _run(args) -> int:
    from kiosk.app import run_app  # Kivy only when the screen is wanted

    return run_app(_settings(args))


def _console(args) -> int:
    from kiosk.console import main_console
    from kiosk.runtime import open_runtime

    return main_console(open_runtime(_settings(args)), args.form_id, args.json)


def _bench(args) -> int:
    from kiosk.bench import format_table, run_all

    if args.corpus or args.model:
        if not (args.corpus and args.model and args.only == ["speech"]):
            print("kiosk: --model and --corpus go together, with `kiosk bench speech`", file=sys.stderr)
            return 2
        from kiosk.bench.speech import run_corpus

        print(format_table(run_corpus(args.model, args.corpus)))
        return 0
    rows = run_all(_settings(args), quick=args.quick, only=args.only or None)
    print(format_table(rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add run, console and bench."""
    p = sub.add_parser("run", help="start the touchscreen kiosk (main.py does the same)")
    p.set_defaults(func=_run)

    p = sub.add_parser("console", help="fill a form in the terminal: one vosk-style transcript per line")
    p.add_argument("form_id")
    p.add_argument("--json", action="store_true", help="one JSON event per line")
    p.set_defaults(func=_console)

    p = sub.add_parser("bench", help="run the benchmarks and print one table")
    p.add_argument("only", nargs="*", help="areas to run (core, ui, speech, printing); default all")
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    p.add_argument("--model", help="speech: a vosk model directory to measure on your own recordings")
    p.add_argument("--corpus", help="speech: folder of WAVs with expected answers (manifest.tsv or *.txt)")
    p.set_defaults(func=_bench)
