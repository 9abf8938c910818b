"""The touchscreen: thin Kivy screens over the dialogue engine (elder mode is the only mode).

Screens subscribe to a visit's events (through `controller.KioskController`) and call session
methods; no form logic lives here. Kivy is imported only by modules that need a window, and
`prepare_kivy()` must run first so Kivy neither parses our argv nor writes ~/.kivy/config.ini.
"""
from __future__ import annotations

import os


def prepare_kivy() -> None:
    """Environment Kivy reads at import time; call before the first `import kivy`."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")        # `kiosk run --config x` is ours, not Kivy's
    os.environ.setdefault("KIVY_NO_CONFIG", "1")      # no stale ~/.kivy/config.ini on a kiosk
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # our logging config, not Kivy's console hook
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # SDL would turn SIGTERM into a window close request, which the kiosk refuses; we handle it.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
