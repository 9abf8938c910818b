"""Shared fixtures and marker rules for the whole suite.

Markers are applied here, by what a test uses, so they stay honest as tests are added:
- `ui`: the test drives the live Kivy window (it asks for the `app` fixture or lives in a
  `test_ui*` module). Under `-m "not ui"` the harness refuses to open a window at all, so a
  test that opens one without the marker fails loudly instead of slipping through.
- `central`: the test needs PostgreSQL, uvicorn or chromium (it uses tests/central_support.py);
  `scripts/test-dates.sh` runs everything else under faketime.
- `slow`, `layout`: set by the modules themselves.
"""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

NO_WINDOW_ENV = "KIOSK_TEST_NO_WINDOW"


def pytest_configure(config: pytest.Config) -> None:
    """Under a selection that excludes `ui`, forbid the Kivy window for this run."""
    markexpr = config.option.markexpr or ""
    if "not ui" in markexpr.replace("  ", " "):
        os.environ[NO_WINDOW_ENV] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the live window as `ui`, and every PostgreSQL one as `central`."""
    for item in items:
        module = getattr(item, "module", None)
        name = module.__name__.rsplit(".", 1)[-1] if module else ""
        if "app" in getattr(item, "fixturenames", ()) or name.startswith("test_ui"):
            item.add_marker(pytest.mark.ui)
        if module is not None and _uses_central_support(module):
            item.add_marker(pytest.mark.central)


def _uses_central_support(module: object) -> bool:
    """True when the test module imported anything from tests/central_support.py."""
    return any(getattr(v, "__module__", None) == "central_support" for v in vars(module).values())


@pytest.fixture
def app():
    """The process's kiosk app on a fresh visit (Home, standard theme) before and after."""
    from kiosk.ui import harness

    app = harness.kiosk_app()
    harness.fresh(app)
    yield app
    app.theme.reset()
    harness.fresh(app)


@pytest.fixture
def events(app):
    """Every dialogue event of the test, in order."""
    seen: list = []
    app.controller.add_listener(seen.append)
    return seen
