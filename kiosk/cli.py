"""Command line entry point: `kiosk run | console | forms check | bench | ...`.

Each area owns its sub-commands in its own `commands.py` with a `register(subparsers)`
function; this module only assembles them, so adding a command never touches another area.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kiosk.config import ConfigError
from kiosk.errors import EXIT_CONFIG, EXIT_FAILED, KioskError

# Modules with a `register(subparsers)` function, one per area.
COMMAND_MODULES = (
    "kiosk.commands",
    "kiosk.catalogue.commands",
    "kiosk.store.commands",
    "kiosk.staff.commands",
    "kiosk.printing.commands",
    "kiosk.speech.commands",
    "kiosk.ui.commands",
    "kiosk.sync.commands",
    "kiosk.central.commands",
    "kiosk.idcard.commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The full `kiosk` argument parser."""
    parser = argparse.ArgumentParser(prog="kiosk", description="社区服务中心自助终端 / community service kiosk")
    parser.add_argument("--config", help="path to kiosk.toml (default: $KIOSK_CONFIG or ./kiosk.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    missing = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            # A central-only install (`pip install kiosk[central]`) has no Kivy, vosk or audio:
            # the kiosk's own commands are left out and named, `kiosk central ...` still works.
            if (err.name or "kiosk").split(".")[0] == "kiosk":
                raise
            missing.append(f"{name.split('.')[1]} (needs {err.name})")
            continue
        module.register(sub)
    if missing:
        parser.epilog = "not installed (pip install kiosk[kiosk]): " + ", ".join(missing)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KioskError as err:  # the one command-line boundary: a line on stderr, no traceback
        # Codes and details never hold personal data; stdout stays clean for --json output.
        print(f"kiosk: {err.describe()}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(err, ConfigError) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
