"""`kiosk screenshots OUTDIR [--size WxH ...]`: every screen type as PNG, real widgets, offscreen.

One Kivy window per process, so each size runs in its own child process. The session is a
demo one: a throw-away SQLite store, no voice, no microphone, a memory printer; nothing touches the
kiosk's real data.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_SIZE = "1280x800"
DEMO_STAFF_SECRET = "demo-staff-secret"     # a throw-away demo database only


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, not {text!r}") from None
    if w < 320 or h < 320:
        raise argparse.ArgumentTypeError("size must be at least 320x320")
    return w, h


def demo_app(settings, width: int, height: int, data_dir: Path):
    """A KioskApp on a throw-away SQLite store, silent, with a memory printer (screenshots, bench, tests)."""
    from kiosk.ui.window import configure

    configure(width, height, fullscreen=False)
    from kiosk.app import KioskApp
    from kiosk.printing.printers import MemoryPrinter
    from kiosk.printing.queue import PrintQueue
    from kiosk.printing.service import PrintService
    from kiosk.runtime import open_runtime
    from kiosk.speech.speaker import RecordingSpeaker
    from kiosk.store import ScryptParams, SqliteStore

    # A real SQLite store in the throw-away data dir: assisted mode (tickets, PIN, audit) needs it.
    store = SqliteStore(Path(data_dir) / "demo.db", settings.site.kiosk_id, secret=DEMO_STAFF_SECRET,
                        kdf=ScryptParams(n=2 ** 10))
    runtime = open_runtime(settings, store=store)
    printer = PrintService(MemoryPrinter(), PrintQueue(store.db), settings.printer)
    return KioskApp(settings, runtime, speaker=RecordingSpeaker(), print_service=printer, load_speech=False)


def _one_size(settings, out_dir: Path, width: int, height: int, large_text: bool = False) -> int:
    from kiosk.ui.fonts import FontMissing, find_cjk_font

    try:
        find_cjk_font(settings.ui.font_path)
    except FontMissing as err:
        print(f"kiosk: {err}", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory(prefix="kiosk-shots-") as tmp:
        app = demo_app(settings, width, height, Path(tmp))
        from kiosk.ui.tour import Tour

        result: dict = {}

        def done(shots):
            result["shots"] = shots
            app.stop()

        tour = Tour(app, out_dir, on_done=done, large_text=large_text)
        app.bind(on_start=lambda *_: tour.start())
        app.run()
    for path in result.get("shots", []):
        print(path)
    for err in tour.errors:
        print(f"kiosk screenshots: {err}", file=sys.stderr)
    return 1 if tour.errors or not result.get("shots") else 0


def _screenshots(args) -> int:
    from kiosk.config import load_settings

    sizes = args.size or [_size(DEFAULT_SIZE)]
    out_dir = Path(args.outdir)
    if len(sizes) == 1:
        settings = load_settings(args.config)
        return _one_size(settings, out_dir, *sizes[0], large_text=args.large_text)
    code = 0
    env = dict(os.environ)
    env.setdefault("SDL_VIDEODRIVER", "offscreen")
    for w, h in sizes:   # one window per process
        cmd = [sys.executable, "-m", "kiosk.cli", *(["--config", args.config] if args.config else []),
               "screenshots", str(out_dir), "--size", f"{w}x{h}", *(["--large-text"] if args.large_text else [])]
        code = max(code, subprocess.run(cmd, env=env, check=False).returncode)
    return code


def register(sub: argparse._SubParsersAction) -> None:
    """Add `screenshots`."""
    p = sub.add_parser("screenshots", help="write a PNG of every screen type (offscreen window)")
    p.add_argument("outdir")
    p.add_argument("--size", type=_size, action="append",
                   help=f"window size WxH (repeatable; default {DEFAULT_SIZE})")
    p.add_argument("--large-text", action="store_true",
                   help="keep 字再大些 on for the whole tour (file names end in _large)")
    p.set_defaults(func=_screenshots)
