"""Service pictograms drawn with Kivy canvas instructions (no image files, sharp at any size).

Each form names its pictogram (`pictogram:` in forms/*.yaml). Shapes are simple and bold so a
resident with poor sight still tells them apart; an unknown name draws a plain disc.
"""
from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle, Triangle
from kivy.properties import ListProperty, StringProperty
from kivy.uix.widget import Widget


class Pictogram(Widget):
    """Draws the pictogram `name` in `colour`, centred in a square."""

    name = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    hole = ListProperty([1, 1, 1, 1])   # background colour for cut-outs

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self.redraw, size=self.redraw, name=self.redraw, colour=self.redraw,
                  hole=self.redraw)

    def redraw(self, *_args) -> None:
        """Rebuild the canvas for the current size, name and colour."""
        self.canvas.clear()
        s = min(self.width, self.height)
        if s <= 0:
            return
        ox = self.x + (self.width - s) / 2
        oy = self.y + (self.height - s) / 2

        def p(x: float, y: float) -> tuple[float, float]:
            return ox + x * s, oy + y * s

        draw = DRAWINGS.get(self.name, _disc)
        with self.canvas:
            Color(*self.colour)
            draw(self, p, s)


def _pts(p, *coords: float) -> list[float]:
    out: list[float] = []
    for i in range(0, len(coords), 2):
        out += p(coords[i], coords[i + 1])
    return out


def _disc(w, p, s):
    Ellipse(pos=p(0.2, 0.2), size=(0.6 * s, 0.6 * s))


def _house(w, p, s):
    Triangle(points=_pts(p, 0.08, 0.52, 0.5, 0.92, 0.92, 0.52))
    Rectangle(pos=p(0.18, 0.08), size=(0.64 * s, 0.46 * s))
    Color(*w.hole)
    Rectangle(pos=p(0.42, 0.08), size=(0.16 * s, 0.26 * s))


def _heart(w, p, s):
    Ellipse(pos=p(0.1, 0.42), size=(0.42 * s, 0.42 * s))
    Ellipse(pos=p(0.48, 0.42), size=(0.42 * s, 0.42 * s))
    Triangle(points=_pts(p, 0.12, 0.58, 0.88, 0.58, 0.5, 0.1))


def _bowl(w, p, s):
    Ellipse(pos=p(0.08, 0.12), size=(0.84 * s, 0.7 * s), angle_start=90, angle_end=270)
    Rectangle(pos=p(0.3, 0.08), size=(0.4 * s, 0.08 * s))
    Line(points=_pts(p, 0.55, 0.5, 0.9, 0.92), width=0.035 * s)
    Line(points=_pts(p, 0.45, 0.5, 0.72, 0.95), width=0.035 * s)
    Color(*w.hole)
    Rectangle(pos=p(0.08, 0.47), size=(0.84 * s, 0.05 * s))


def _wrench(w, p, s):
    Line(points=_pts(p, 0.22, 0.2, 0.62, 0.6), width=0.07 * s, cap="round")
    Ellipse(pos=p(0.5, 0.5), size=(0.38 * s, 0.38 * s))
    Color(*w.hole)
    Rectangle(pos=p(0.66, 0.66), size=(0.16 * s, 0.16 * s))


def _card(w, p, s):
    RoundedRectangle(pos=p(0.06, 0.2), size=(0.88 * s, 0.6 * s), radius=[0.06 * s])
    Color(*w.hole)
    Ellipse(pos=p(0.14, 0.4), size=(0.22 * s, 0.22 * s))
    Rectangle(pos=p(0.13, 0.28), size=(0.24 * s, 0.1 * s))
    for y in (0.6, 0.47, 0.34):
        Rectangle(pos=p(0.46, y), size=(0.38 * s, 0.06 * s))


def _allowance(w, p, s):
    # A round coin with a square hole: money, in a shape every older Chinese resident knows.
    Ellipse(pos=p(0.1, 0.1), size=(0.8 * s, 0.8 * s))
    Color(*w.hole)
    Line(ellipse=(*p(0.19, 0.19), 0.62 * s, 0.62 * s), width=0.02 * s)
    Rectangle(pos=p(0.39, 0.39), size=(0.22 * s, 0.22 * s))


def _home_help(w, p, s):
    _house(w, p, s)
    Color(*w.hole)
    Ellipse(pos=p(0.3, 0.32), size=(0.18 * s, 0.18 * s))
    Ellipse(pos=p(0.52, 0.32), size=(0.18 * s, 0.18 * s))
    Triangle(points=_pts(p, 0.31, 0.42, 0.69, 0.42, 0.5, 0.17))


def _certificate(w, p, s):
    # A certificate: a page with a folded corner, a small house on it and a round seal, so it
    # never looks like 上门服务's house.
    Rectangle(pos=p(0.16, 0.06), size=(0.68 * s, 0.7 * s))
    Triangle(points=_pts(p, 0.16, 0.76, 0.62, 0.76, 0.16, 0.94))
    Rectangle(pos=p(0.16, 0.76), size=(0.46 * s, 0.18 * s))
    Triangle(points=_pts(p, 0.62, 0.94, 0.62, 0.76, 0.84, 0.76))
    Color(*w.hole)
    Triangle(points=_pts(p, 0.26, 0.6, 0.42, 0.74, 0.58, 0.6))
    Rectangle(pos=p(0.3, 0.46), size=(0.24 * s, 0.14 * s))
    for y in (0.34, 0.24):
        Rectangle(pos=p(0.26, y), size=(0.32 * s, 0.05 * s))
    Line(ellipse=(*p(0.58, 0.1), 0.2 * s, 0.2 * s), width=0.025 * s)


def _speech(w, p, s):
    RoundedRectangle(pos=p(0.08, 0.3), size=(0.84 * s, 0.58 * s), radius=[0.12 * s])
    Triangle(points=_pts(p, 0.22, 0.34, 0.42, 0.34, 0.16, 0.1))
    Color(*w.hole)
    for x in (0.25, 0.44, 0.63):
        Ellipse(pos=p(x, 0.53), size=(0.12 * s, 0.12 * s))


def _microphone(w, p, s):
    RoundedRectangle(pos=p(0.36, 0.4), size=(0.28 * s, 0.5 * s), radius=[0.14 * s])
    Line(ellipse=(*p(0.24, 0.26), 0.52 * s, 0.52 * s, 90, 270), width=0.04 * s)
    Rectangle(pos=p(0.47, 0.08), size=(0.06 * s, 0.2 * s))
    Rectangle(pos=p(0.32, 0.06), size=(0.36 * s, 0.06 * s))


def _person(w, p, s):
    Ellipse(pos=p(0.34, 0.58), size=(0.32 * s, 0.32 * s))
    Ellipse(pos=p(0.18, 0.02), size=(0.64 * s, 0.6 * s), angle_start=-90, angle_end=90)


DRAWINGS = {
    "house": _house, "heart": _heart, "bowl": _bowl, "wrench": _wrench, "card": _card,
    "allowance": _allowance, "home_help": _home_help, "speech": _speech, "certificate": _certificate,
    "microphone": _microphone, "person": _person,
}
