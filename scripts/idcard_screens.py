"""Screenshots of the ID card panel (place the card; check what it gave) at one window size.

    SDL_VIDEODRIVER=offscreen python scripts/idcard_screens.py 1280 800 docs/img/screens [--large] [--contrast]

Runs the real kiosk with the twin reader: taps through the senior-card form to the name
question, captures the panel while it waits for the card, puts the card down, captures the
confirmation. `--large` switches 字再大些 on first, `--contrast` 黑底白字. The card is the made-up demo card.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    width, height, out = int(argv[0]), int(argv[1]), Path(argv[2])
    large = "--large" in argv
    contrast = "--contrast" in argv
    from kiosk.idcard.twin import TwinReader
    from kiosk.ui import harness
    from kiosk.ui.idcard_prompt import SCREEN, install
    from kiosk.ui.touch import find_button
    from kiosk.voices import say

    app = harness.kiosk_app(width, height)
    harness.fresh(app)
    reader = TwinReader()
    reader.hold()
    install(app, reader)
    if large:
        app.theme.toggle_large_text()
    if contrast:
        app.theme.toggle_contrast()
    home = app.screens.get_screen("home")
    tile = next(t for t in home.ids.tiles.children if t.form_id == "senior_card")
    tap(tile)
    tap(find_button(app.screens.current_screen, say("applicant.self")))
    for _ in range(6):           # consent, and the read-backs where a choice has one
        if app.screens.current == SCREEN:
            break
        screen = app.screens.current_screen
        text = say("ui.readback_yes") if screen.mode == "readback" else say("ui.consent_yes")
        tap(find_button(screen, text))
    assert harness.wait_until(lambda: app.screens.current == SCREEN), app.screens.current
    harness.frames(6)
    suffix = ("_large" if large else "") + ("_contrast" if contrast else "")
    out.mkdir(parents=True, exist_ok=True)
    app.screens.export_to_png(str(out / f"idcard_place_card{suffix}_{width}x{height}.png"))
    reader.release()
    assert harness.wait_until(lambda: app.screens.current_screen.mode == "confirm")
    harness.frames(6)
    app.screens.export_to_png(str(out / f"idcard_confirm{suffix}_{width}x{height}.png"))
    print(f"written to {out}")
    return 0


def tap(widget) -> None:
    """A real tap at the widget's centre."""
    from kivy.tests.common import UnitTestTouch

    from kiosk.ui import harness

    x, y = widget.to_window(*widget.center)
    t = UnitTestTouch(x, y)
    t.touch_down()
    t.touch_up()
    harness.frames(3)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
